import type { MockServerOptions } from '@connexease-kit/mock-server';
import {
  type PrivateRedis,
  requireSharedRedis,
  SHARED_REDIS_URL,
  startPrivateRedis,
} from '@connexease-kit/test-servers';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { extendEnvironment, type FleetEnvironment, useMockAndFleets } from './environment.ts';
import { type FleetStore, type StoredRecord, type StoreEnvironment, started } from './fleet-store.ts';
import { expectTidyNamespace } from './stored-keys.ts';

async function redisRecords(
  client: Redis,
  namespace: string,
  secrets: readonly string[],
): Promise<StoredRecord[]> {
  const keys = await expectTidyNamespace(client, namespace, secrets);
  return keys.map(({ key, contents }) => ({ name: key.split(':').at(-1) ?? key, contents }));
}

/** A fleet test file's environment on the shared Redis, with a client of it for inspecting what the fleet left. */
export interface SharedRedisEnvironment extends StoreEnvironment {
  readonly redis: Redis;
  /** `REDIS_URL`, or the local default. */
  readonly redisUrl: string;
}

/**
 * Registers a test file's hooks on the shared Redis: fails early (with how to start it) when it does
 * not answer, and opens a client of it for the file.
 */
export function useSharedRedis(mockOptions?: MockServerOptions): SharedRedisEnvironment {
  let client: Redis | undefined;
  const env = useMockAndFleets(
    {
      async before() {
        await requireSharedRedis();
        client = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
      },
      async after() {
        client?.disconnect();
      },
    },
    mockOptions,
  );
  return extendEnvironment(env, {
    get redis() {
      return started(client);
    },
    redisUrl: SHARED_REDIS_URL,
    replicaStore: { url: SHARED_REDIS_URL },
    expectTidy: (namespace, secrets) => redisRecords(started(client), namespace, secrets),
  });
}

/** A Redis of one test file alone, started with `args`, and a client of it that connects when first asked. */
interface PrivateRedisEnvironment extends FleetEnvironment {
  server(): PrivateRedis;
  admin(): Promise<Redis>;
}

function usePrivateRedis(
  args: string[],
  mockOptions: MockServerOptions | undefined,
): PrivateRedisEnvironment {
  let server: PrivateRedis | undefined;
  let admin: Redis | undefined;
  const env = useMockAndFleets(
    {
      async before() {
        server = await startPrivateRedis({ args });
        admin = new Redis(server.url, { maxRetriesPerRequest: 1, lazyConnect: true });
        admin.on('error', () => {});
      },
      async after() {
        admin?.disconnect();
        await server?.close();
      },
    },
    mockOptions,
  );
  return extendEnvironment(env, {
    server: () => started(server),
    async admin() {
      const client = started(admin);
      if (client.status !== 'ready') await client.connect().catch(() => {});
      return client;
    },
  });
}

export const redisStore: FleetStore = {
  name: 'Redis',
  coldStartRecords: ['epoch', 'fence', 'quota', 'token'],
  tokenRecord: 'token',
  recordNames: (records) => records.map((record) => record.name).sort(),
  useShared: useSharedRedis,
  usePrivate(mockOptions) {
    // An append-only file with fsync on every write, as a production Redis keeps: a restart loses
    // neither quota nor token.
    const env = usePrivateRedis(['--appendonly', 'yes', '--appendfsync', 'always'], mockOptions);
    return extendEnvironment(env, {
      get replicaStore() {
        return { url: env.server().url };
      },
      stop: () => env.server().stop(),
      start: () => env.server().start(),
      expectTidy: async (namespace, secrets) => redisRecords(await env.admin(), namespace, secrets),
    });
  },
  useForgetful(mockOptions) {
    // Run as the README runs it: no RDB, no AOF. A restart empties it.
    const env = usePrivateRedis([], mockOptions);
    return extendEnvironment(env, {
      get replicaStore() {
        return { url: env.server().url };
      },
      forgetting: 'Redis restarts empty',
      storeOptions: { commandTimeoutMs: 1000 },
      async forget() {
        const before = await redisInfo(await env.admin());
        await env.server().restart();
        // Read from INFO, not DBSIZE: live replicas may already have written records back by now.
        const after = await redisInfo(await env.admin());
        expect(after.runId, 'Redis was restarted').not.toBe(before.runId);
        expect(after.aofEnabled, 'the restarted Redis keeps no append-only file').toBe('0');
        expect(after.keysLoaded, 'the restarted Redis loaded no keys').toBe('0');
      },
      async held(namespace) {
        const admin = await env.admin();
        return {
          quotaEntries: await admin.zcard(`cxk:{${namespace}}:quota`),
          token: (await admin.exists(`cxk:{${namespace}}:token`)) === 1,
        };
      },
      expectTidy: async (namespace, secrets) => redisRecords(await env.admin(), namespace, secrets),
    });
  },
};

/** Fields of `INFO server` and `INFO persistence` a restart changes (run_id) or shows (what it loaded). */
async function redisInfo(
  client: Redis,
): Promise<{ runId?: string; aofEnabled?: string; keysLoaded?: string }> {
  const text = `${await client.info('server')}\n${await client.info('persistence')}`;
  const field = (name: string) => new RegExp(`^${name}:(.*)$`, 'm').exec(text)?.[1]?.trim();
  return {
    runId: field('run_id'),
    aofEnabled: field('aof_enabled'),
    keysLoaded: field('rdb_last_load_keys_loaded'),
  };
}
