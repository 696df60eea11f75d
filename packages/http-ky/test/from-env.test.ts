import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import { beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ConnexeaseClient } from '../src/client.ts';
import { createClientFromEnvWith, createConnexeaseClientFromEnv } from '../src/from-env.ts';
import { ACCESS_TOKEN, caught, expectNoSecrets, JOHN, startTestServer } from './helpers.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function track(client: ConnexeaseClient): ConnexeaseClient {
  onTestFinished(() => client.auth.close());
  return client;
}

const missingRedisStore = () =>
  Promise.reject(
    Object.assign(new Error("Cannot find package '@connexease-kit/token-store-redis'"), {
      code: 'ERR_MODULE_NOT_FOUND',
    }),
  );

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
        { CONNEXEASE_ACCESS_TOKEN: 'tok', CONNEXEASE_REDIS_URL: 'redis://:hunter2-secret@127.0.0.1:6379' },
        {},
        missingRedisStore,
      ),
    );
    expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
    expect((error as Error).message).toContain('CONNEXEASE_REDIS_URL');
    expect((error as Error).message).toContain('npm install @connexease-kit/token-store-redis ioredis');
    expectNoSecrets(error, ['hunter2-secret']);
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
      await createClientFromEnvWith({ ...env, CONNEXEASE_STORE: 'memory' }, {}, missingRedisStore),
    );
    await memory.api.get('x/');
    const store = createMemoryTokenStore();
    onTestFinished(() => store.close());
    const given = track(await createClientFromEnvWith(env, { store }, missingRedisStore));
    await given.api.get('x/');
    expect(server.control.stats().issues.total).toBe(2);
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
