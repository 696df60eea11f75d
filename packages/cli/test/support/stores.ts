import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TokenStore } from '@connexease-kit/auth-core';
import { namespaceFor } from '@connexease-kit/auth-core/store';
import { postgresQuery, requireSharedPostgres, SHARED_DATABASE_URL } from '@connexease-kit/test-servers';
import { createFileTokenStore } from '@connexease-kit/token-store-file';
import { createPostgresTokenStore } from '@connexease-kit/token-store-postgres';
import { createRedisTokenStore, redisTokenStoreKeys } from '@connexease-kit/token-store-redis';
import { Redis } from 'ioredis';

/** The Redis the tests use: `REDIS_URL`, or the local default. */
export const REDIS_URL: string = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** Fails with how to start Redis when it does not answer (call in `beforeAll`). */
export async function requireRedis(): Promise<void> {
  const client = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 2000 });
  try {
    await client.connect();
    await client.ping();
  } catch {
    const { host, port } = new URL(REDIS_URL);
    throw new Error(
      `Redis is not answering at ${host}:${port || 6379}: start it with \`redis-server --daemonize yes\` ` +
        '(or `docker run -d -p 6379:6379 redis:7`), or point REDIS_URL at a Redis server.',
    );
  } finally {
    client.disconnect();
  }
}

/** One kind of store as a test uses it: a store to seed and check state, and the CLI flags that open it. */
export interface StoreFixture {
  kind: StoreKind;
  store: TokenStore;
  /** `['--redis', url]`, `['--postgres', url]` or `['--file', dir]`. */
  args: string[];
  /** Removes everything the test stored under `ns`, and closes the fixture. */
  cleanup(namespaces: string[]): Promise<void>;
  /** Makes the backend lose `ns`'s quota entries but keep the marker beside them (an evicted key, a hand edit). */
  loseQuota(ns: string): Promise<void>;
}

/** The shared stores the CLI reads. */
export type StoreKind = 'redis' | 'postgres' | 'file';

/**
 * A database of this fixture alone on the shared PostgreSQL (the CLI takes a URL, so the store's tables go
 * in that database's public schema), dropped by `cleanup`.
 */
async function openPostgresFixture(): Promise<StoreFixture> {
  await requireSharedPostgres();
  const database = `cxk_cli_${crypto.randomUUID().slice(0, 8)}`;
  await postgresQuery(`CREATE DATABASE ${database}`);
  const url = new URL(SHARED_DATABASE_URL);
  url.pathname = `/${database}`;
  const store = createPostgresTokenStore({ connectionString: url.toString() });
  await store.migrate();
  return {
    kind: 'postgres',
    store,
    args: ['--postgres', url.toString()],
    async cleanup() {
      await store.close();
      await postgresQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    },
    async loseQuota(ns) {
      await postgresQuery('DELETE FROM public.connexease_quota WHERE ns = $1', [ns], url.toString());
    },
  };
}

export async function openFixture(kind: StoreKind): Promise<StoreFixture> {
  if (kind === 'postgres') return openPostgresFixture();
  if (kind === 'redis') {
    const redis = new Redis(REDIS_URL);
    const store = createRedisTokenStore({ redis });
    return {
      kind,
      store,
      args: ['--redis', REDIS_URL],
      async cleanup(namespaces) {
        for (const ns of namespaces) {
          const keys = redisTokenStoreKeys(ns);
          await redis.del(keys.token, keys.lease, keys.fence, keys.quota, keys.epoch, keys.block);
        }
        await store.close();
        await redis.quit();
      },
      async loseQuota(ns) {
        await redis.del(redisTokenStoreKeys(ns).quota);
      },
    };
  }
  const directory = await mkdtemp(join(tmpdir(), 'cxk-cli-'));
  const store = createFileTokenStore({ directory, watch: false });
  return {
    kind,
    store,
    args: ['--file', directory],
    async cleanup() {
      await store.close();
      await rm(directory, { recursive: true, force: true });
    },
    async loseQuota(ns) {
      const path = store.filePath(ns);
      const state = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
      await writeFile(path, JSON.stringify({ ...state, reservations: [] }), { mode: 0o600 });
    },
  };
}

/** A fresh API user name, so tests never share a namespace. */
export function uniqueUser(label: string): string {
  return `cli-${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** The namespace the services (and the CLI) use for `username` at `baseUrl`. */
export function jwtNamespace(baseUrl: string, username: string): Promise<string> {
  return namespaceFor({ baseUrl, username, mode: 'jwt' });
}
