import { randomUUID } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuthEvent, ConnexeaseAuthError, type TokenStore } from '@connexease-kit/auth-core';
import type { StoreLoaders } from '@connexease-kit/auth-core/transport';
import { postgresQuery, requireSharedPostgres, SHARED_DATABASE_URL } from '@connexease-kit/test-servers';
import { ACCESS_TOKEN, caught, expectNoSecrets, JOHN, startTestServer } from '@connexease-kit/test-support';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ConnexeaseClient } from '../src/client.ts';
import { createClientFromEnvWith, createConnexeaseClientFromEnv } from '../src/from-env.ts';
import { STORE_LOADERS } from '../src/store-loaders.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function track(client: ConnexeaseClient): ConnexeaseClient {
  onTestFinished(() => client.auth.close());
  return client;
}

function missingPackage(name: string): () => Promise<never> {
  return () =>
    Promise.reject(
      Object.assign(new Error(`Cannot find package '${name}'`), { code: 'ERR_MODULE_NOT_FOUND' }),
    );
}

/** Loaders as if neither optional store package were installed. */
const NO_STORE_PACKAGES: StoreLoaders = {
  redis: missingPackage('@connexease-kit/token-store-redis'),
  file: missingPackage('@connexease-kit/token-store-file'),
  postgres: missingPackage('@connexease-kit/token-store-postgres'),
};

const PASSWORD_ENV = {
  CONNEXEASE_USERNAME: JOHN.username,
  CONNEXEASE_PASSWORD: JOHN.password,
} as const;

describe('createConnexeaseClientFromEnv', () => {
  it('builds a JWT client from CONNEXEASE_BASE_URL, USERNAME and PASSWORD', async () => {
    const server = await startTestServer();
    const { api, auth } = track(
      await createConnexeaseClientFromEnv({
        CONNEXEASE_BASE_URL: server.url,
        CONNEXEASE_USERNAME: JOHN.username,
        CONNEXEASE_PASSWORD: JOHN.password,
        CONNEXEASE_JWT_DAILY_LIMIT: '7',
      }),
    );
    expect(await api.get('some/endpoint/').json()).toMatchObject({ scheme: 'JWT' });
    expect((await auth.status()).quota).toMatchObject({ used: 1, limit: 7 });
  });

  it('builds a Bearer client from CONNEXEASE_ACCESS_TOKEN, and overrides win', async () => {
    const server = await startTestServer();
    const { api, auth } = track(
      await createConnexeaseClientFromEnv(
        { CONNEXEASE_BASE_URL: 'https://api.connexease.invalid', CONNEXEASE_ACCESS_TOKEN: ACCESS_TOKEN },
        { baseUrl: server.url },
      ),
    );
    expect(auth.mode).toBe('bearer');
    expect(await api.get('x/').json()).toMatchObject({ scheme: 'Bearer' });
  });

  it.each([
    [{ CONNEXEASE_USERNAME: 'john.doe' }, 'CONNEXEASE_PASSWORD'],
    [{ CONNEXEASE_PASSWORD: 'p4ss-w0rd-secret' }, 'CONNEXEASE_USERNAME'],
    [{}, 'CONNEXEASE_ACCESS_TOKEN'],
    [{ CONNEXEASE_ACCESS_TOKEN: 'has space secret' }, 'CONNEXEASE_ACCESS_TOKEN'],
    [{ CONNEXEASE_ACCESS_TOKEN: 'tok', CONNEXEASE_BASE_URL: 'ftp://x' }, 'CONNEXEASE_BASE_URL'],
    [{ CONNEXEASE_ACCESS_TOKEN: 'tok', CONNEXEASE_JWT_DAILY_LIMIT: '31' }, 'CONNEXEASE_JWT_DAILY_LIMIT'],
    [
      { CONNEXEASE_ACCESS_TOKEN: 'tok', CONNEXEASE_REDIS_URL: 'http://p4ss-w0rd-secret@x' },
      'CONNEXEASE_REDIS_URL',
    ],
    [{ CONNEXEASE_ACCESS_TOKEN: 'tok', CONNEXEASE_STORE: 'redis' }, 'CONNEXEASE_REDIS_URL'],
  ])('%o: CONFIG_INVALID naming %s, without the secret', async (env, variable) => {
    const error = await caught(() => createConnexeaseClientFromEnv(env));
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error).toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining(variable) });
    expectNoSecrets(error, ['p4ss-w0rd-secret', 'has space secret']);
  });

  it('says how to install the Redis store when CONNEXEASE_REDIS_URL is set but it cannot be loaded', async () => {
    const error = await caught(() =>
      createClientFromEnvWith(
        { ...PASSWORD_ENV, CONNEXEASE_REDIS_URL: 'redis://:hunter2-secret@127.0.0.1:6379' },
        {},
        NO_STORE_PACKAGES,
      ),
    );
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toContain('CONNEXEASE_REDIS_URL');
    expect((error as Error).message).toContain('npm install @connexease-kit/token-store-redis ioredis');
    expectNoSecrets(error, ['hunter2-secret', JOHN.password]);
  });

  it.each([
    [{ CONNEXEASE_STORE: 'postgres' }, 'CONNEXEASE_STORE is postgres'],
    [{}, 'CONNEXEASE_DATABASE_URL is set'],
  ])(
    '%o with CONNEXEASE_DATABASE_URL, without @connexease-kit/token-store-postgres: CONFIG_INVALID saying how to install it',
    async (vars, reason) => {
      const env = {
        ...PASSWORD_ENV,
        CONNEXEASE_DATABASE_URL: 'postgres://app:hunter2-secret@db/app',
        ...vars,
      };
      const error = await caught(() => createClientFromEnvWith(env, {}, NO_STORE_PACKAGES));
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      expect((error as Error).message).toContain(reason);
      expect((error as Error).message).toContain('npm install @connexease-kit/token-store-postgres pg');
      expectNoSecrets(error, ['hunter2-secret', JOHN.password]);
    },
  );

  it('refuses CONNEXEASE_DATABASE_URL with CONNEXEASE_REDIS_URL unless CONNEXEASE_STORE says which', async () => {
    const env = {
      ...PASSWORD_ENV,
      CONNEXEASE_DATABASE_URL: 'postgres://app:hunter2-secret@db/app',
      CONNEXEASE_REDIS_URL: 'redis://:hunter2-secret@x',
    };
    const error = await caught(() => createClientFromEnvWith(env, {}, NO_STORE_PACKAGES));
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toMatch(/CONNEXEASE_REDIS_URL and CONNEXEASE_DATABASE_URL are set/);
    expectNoSecrets(error, ['hunter2-secret']);
  });

  it.each([
    [{ CONNEXEASE_STORE: 'file' }, 'CONNEXEASE_STORE is file'],
    [{ CONNEXEASE_STORE_DIR: '/tmp/cxk-never-created' }, 'CONNEXEASE_STORE_DIR is set'],
  ])(
    '%o without @connexease-kit/token-store-file: CONFIG_INVALID saying how to install it',
    async (vars, reason) => {
      const error = await caught(() =>
        createClientFromEnvWith({ ...PASSWORD_ENV, ...vars }, {}, NO_STORE_PACKAGES),
      );
      expect(error).toBeInstanceOf(ConnexeaseAuthError);
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      expect((error as Error).message).toContain(reason);
      expect((error as Error).message).toContain('install it: npm install @connexease-kit/token-store-file');
      expectNoSecrets(error, [JOHN.password]);
    },
  );

  it('refuses CONNEXEASE_REDIS_URL with CONNEXEASE_STORE_DIR unless CONNEXEASE_STORE says which', async () => {
    const env = {
      ...PASSWORD_ENV,
      CONNEXEASE_REDIS_URL: 'redis://:hunter2-secret@x',
      CONNEXEASE_STORE_DIR: '/x',
    };
    const error = await caught(() => createClientFromEnvWith(env, {}, NO_STORE_PACKAGES));
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('CONNEXEASE_STORE'),
    });
    expect((error as Error).message).toContain('CONNEXEASE_STORE_DIR');
    expectNoSecrets(error, ['hunter2-secret']);
  });

  it('creates no store for an access token, whatever the store variables say', async () => {
    const server = await startTestServer();
    for (const vars of [
      { CONNEXEASE_STORE: 'file' },
      { CONNEXEASE_REDIS_URL: 'redis://127.0.0.1:1' },
      { CONNEXEASE_STORE_DIR: '/tmp/cxk-never-created' },
    ]) {
      const { api, auth } = track(
        await createClientFromEnvWith(
          { CONNEXEASE_BASE_URL: server.url, CONNEXEASE_ACCESS_TOKEN: ACCESS_TOKEN, ...vars },
          {},
          NO_STORE_PACKAGES,
        ),
      );
      expect(auth.mode).toBe('bearer');
      expect(await api.get('x/').json()).toMatchObject({ scheme: 'Bearer' });
    }
  });

  it('does not load the Redis store for CONNEXEASE_STORE=memory or when overrides.store is given', async () => {
    const server = await startTestServer();
    const env = {
      CONNEXEASE_BASE_URL: server.url,
      CONNEXEASE_USERNAME: JOHN.username,
      CONNEXEASE_PASSWORD: JOHN.password,
      CONNEXEASE_REDIS_URL: REDIS_URL,
    };
    const memory = track(
      await createClientFromEnvWith({ ...env, CONNEXEASE_STORE: 'memory' }, {}, NO_STORE_PACKAGES),
    );
    await memory.api.get('x/');
    const store = createMemoryTokenStore();
    onTestFinished(() => store.close());
    const given = track(await createClientFromEnvWith(env, { store }, NO_STORE_PACKAGES));
    await given.api.get('x/');
    expect(server.control.stats().issues.total).toBe(2);
  });
});

/** A fresh directory, removed when the test finishes. */
async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'cxk-http-ky-file-'));
  onTestFinished(() => rm(directory, { recursive: true, force: true }));
  return directory;
}

describe('createConnexeaseClientFromEnv with CONNEXEASE_STORE=file', () => {
  it('keeps the JWT in CONNEXEASE_STORE_DIR, so a client made after a restart reuses it: one issue', async () => {
    const server = await startTestServer();
    const directory = join(await temporaryDirectory(), 'not-yet-there');
    const env = {
      CONNEXEASE_BASE_URL: server.url,
      ...PASSWORD_ENV,
      CONNEXEASE_STORE: 'file',
      CONNEXEASE_STORE_DIR: directory,
    };
    const first = await createConnexeaseClientFromEnv(env);
    let token: string;
    try {
      expect(await first.api.get('a/').json()).toMatchObject({ scheme: 'JWT', username: JOHN.username });
      token = (await first.auth.getAuthorization()).slice('JWT '.length);
    } finally {
      await first.auth.close();
    }
    expect((await stat(directory)).mode & 0o777).toBe(0o700);
    const stateFiles = (await readdir(directory)).filter((name) => name.endsWith('.json'));
    expect(stateFiles).toHaveLength(1);
    expect(await readFile(join(directory, stateFiles[0]!), 'utf8')).toContain(token);

    const second = track(await createConnexeaseClientFromEnv(env));
    expect(await second.api.post('b/', { json: { n: 1 } }).json()).toMatchObject({ scheme: 'JWT' });
    expect(await second.auth.getAuthorization()).toBe(`JWT ${token}`);
    expect(server.control.stats().issues.total).toBe(1);
    expect((await second.auth.status()).quota).toMatchObject({ used: 1, limit: 25 });
  });

  it('CONNEXEASE_STORE_DIR alone means file; the store gets onEvent and is closed by auth.close()', async () => {
    const server = await startTestServer();
    const directory = await temporaryDirectory();
    await chmod(directory, 0o755);
    const made: TokenStore[] = [];
    const spying: StoreLoaders = {
      ...NO_STORE_PACKAGES,
      file: async () => {
        const module = await STORE_LOADERS.file();
        return {
          createFileTokenStore: (options) => {
            const store = module.createFileTokenStore(options);
            made.push(store);
            return store;
          },
        };
      },
    };
    const events: AuthEvent[] = [];
    const { api, auth } = await createClientFromEnvWith(
      { CONNEXEASE_BASE_URL: server.url, ...PASSWORD_ENV, CONNEXEASE_STORE_DIR: `  ${directory}  ` },
      { onEvent: (event) => events.push(event) },
      spying,
    );
    await api.get('x/');
    expect(made).toHaveLength(1);
    expect(await readdir(directory)).toContainEqual(expect.stringMatching(/\.json$/));
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'warning', message: expect.stringContaining('mode 755') }),
    );
    await auth.close();
    expect(await caught(() => made[0]!.readToken('any'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

describe('createConnexeaseClientFromEnv with CONNEXEASE_REDIS_URL (real Redis)', () => {
  beforeAll(async () => {
    const { hostname, port } = new URL(REDIS_URL);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port || 6379), hostname, () => {
        socket.end();
        resolve();
      });
      socket.once('error', () =>
        reject(
          new Error(
            `Redis is not reachable at ${hostname}:${port || 6379}; start one with: redis-server --daemonize yes (or set REDIS_URL)`,
          ),
        ),
      );
    });
  });

  it('two clients made from the same environment share one JWT through Redis, and close their connections', async () => {
    const user = { username: `env-${randomUUID()}`, password: 'redis-env-password' };
    const server = await startTestServer({ users: [user] });
    const env = {
      CONNEXEASE_BASE_URL: server.url,
      CONNEXEASE_USERNAME: user.username,
      CONNEXEASE_PASSWORD: user.password,
      CONNEXEASE_REDIS_URL: REDIS_URL,
    };
    const first = await createConnexeaseClientFromEnv(env);
    const second = await createConnexeaseClientFromEnv(env);
    try {
      expect(await first.api.get('a/').json()).toMatchObject({ scheme: 'JWT', username: user.username });
      expect(await second.api.get('b/').json()).toMatchObject({ scheme: 'JWT', username: user.username });
      expect(server.control.stats().issues.total).toBe(1);
      expect((await second.auth.status()).quota).toMatchObject({ used: 1, limit: 25 });
    } finally {
      await first.auth.close();
      await second.auth.close();
    }
  });
});

describe('createConnexeaseClientFromEnv with CONNEXEASE_STORE=postgres (real PostgreSQL)', () => {
  // A database of this run alone on the shared server: the store's tables go in its public schema.
  const database = `cxk_env_${randomUUID().slice(0, 8)}`;
  let databaseUrl = '';
  beforeAll(async () => {
    await requireSharedPostgres();
    await postgresQuery(`CREATE DATABASE ${database}`);
    const url = new URL(SHARED_DATABASE_URL);
    url.pathname = `/${database}`;
    databaseUrl = url.toString();
  });
  afterAll(async () => {
    await postgresQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  });

  it('two clients made from the same environment share one JWT through PostgreSQL, and close their pools', async () => {
    const user = { username: `env-${randomUUID()}`, password: 'postgres-env-password' };
    const server = await startTestServer({ users: [user] });
    const env = {
      CONNEXEASE_BASE_URL: server.url,
      CONNEXEASE_USERNAME: user.username,
      CONNEXEASE_PASSWORD: user.password,
      CONNEXEASE_STORE: 'postgres',
      CONNEXEASE_DATABASE_URL: databaseUrl,
    };
    const first = await createConnexeaseClientFromEnv(env);
    const second = await createConnexeaseClientFromEnv(env);
    try {
      expect(await first.api.get('a/').json()).toMatchObject({ scheme: 'JWT', username: user.username });
      expect(await second.api.get('b/').json()).toMatchObject({ scheme: 'JWT', username: user.username });
      expect(server.control.stats().issues.total).toBe(1);
      expect((await second.auth.status()).quota).toMatchObject({ used: 1, limit: 25 });
    } finally {
      await first.auth.close();
      await second.auth.close();
    }
    // A backend leaves pg_stat_activity shortly after its client hangs up: look until it has, or 10 s.
    const countSessions = async (): Promise<number> =>
      (
        await postgresQuery<{ n: number }>(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1',
          [database],
        )
      )[0]!.n;
    let sessions = await countSessions();
    for (const deadline = Date.now() + 10_000; sessions > 0 && Date.now() < deadline; ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      sessions = await countSessions();
    }
    expect(sessions, 'every connection of both stores is closed').toBe(0);
  });
});
