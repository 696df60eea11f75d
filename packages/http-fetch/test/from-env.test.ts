import { randomUUID } from 'node:crypto';
import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import { ACCESS_TOKEN, caught, expectNoSecrets, JOHN, startTestServer } from '@connexease-kit/test-support';
import { describe, expect, it, onTestFinished } from 'vitest';
import type { ConnexeaseFetch } from '../src/client.ts';
import { createConnexeaseFetchFromEnv, createFetchFromEnvWith } from '../src/from-env.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

function track(client: ConnexeaseFetch): ConnexeaseFetch {
  onTestFinished(() => client.auth.close());
  return client;
}

describe('createConnexeaseFetchFromEnv', () => {
  it('builds a JWT fetch from CONNEXEASE_BASE_URL, USERNAME, PASSWORD and JWT_DAILY_LIMIT', async () => {
    const server = await startTestServer();
    const { fetch, auth } = track(
      await createConnexeaseFetchFromEnv({
        CONNEXEASE_BASE_URL: server.url,
        CONNEXEASE_USERNAME: JOHN.username,
        CONNEXEASE_PASSWORD: JOHN.password,
        CONNEXEASE_JWT_DAILY_LIMIT: '7',
      }),
    );
    expect(await (await fetch('some/endpoint/')).json()).toMatchObject({ scheme: 'JWT' });
    expect((await auth.status()).quota).toMatchObject({ used: 1, limit: 7 });
  });

  it('builds a Bearer fetch from CONNEXEASE_ACCESS_TOKEN, and overrides win', async () => {
    const server = await startTestServer();
    const { fetch } = track(
      await createConnexeaseFetchFromEnv(
        { CONNEXEASE_BASE_URL: 'https://api.connexease.invalid', CONNEXEASE_ACCESS_TOKEN: ACCESS_TOKEN },
        { baseUrl: server.url },
      ),
    );
    expect(await (await fetch('x/')).json()).toMatchObject({ scheme: 'Bearer' });
  });

  it('names the variable at fault, never its secret value', async () => {
    const error = await caught(() =>
      createConnexeaseFetchFromEnv({
        CONNEXEASE_USERNAME: 'u',
        CONNEXEASE_PASSWORD: 'p4ss-secret',
        CONNEXEASE_JWT_DAILY_LIMIT: '31',
      }),
    );
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('CONNEXEASE_JWT_DAILY_LIMIT'),
    });
    expectNoSecrets(error, ['p4ss-secret']);
  });

  it('says how to install the Redis store when CONNEXEASE_REDIS_URL is set but it cannot be loaded', async () => {
    const missing = () =>
      Promise.reject(new Error("Cannot find package '@connexease-kit/token-store-redis'"));
    const error = await caught(() =>
      createFetchFromEnvWith(
        {
          ...{ CONNEXEASE_USERNAME: JOHN.username, CONNEXEASE_PASSWORD: JOHN.password },
          CONNEXEASE_REDIS_URL: REDIS_URL,
        },
        {},
        { redis: missing, file: missing, postgres: missing },
      ),
    );
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('npm install @connexease-kit/token-store-redis ioredis'),
    });
  });

  it('two fetches made from the same environment share one JWT through Redis, and close their connections', async () => {
    const user = { username: `env-${randomUUID()}`, password: 'redis-env-password' };
    const server = await startTestServer({ users: [user] });
    const env = {
      CONNEXEASE_BASE_URL: server.url,
      CONNEXEASE_USERNAME: user.username,
      CONNEXEASE_PASSWORD: user.password,
      CONNEXEASE_REDIS_URL: REDIS_URL,
    };
    const first = await createConnexeaseFetchFromEnv(env);
    const second = await createConnexeaseFetchFromEnv(env);
    try {
      expect(await (await first.fetch('a/')).json()).toMatchObject({
        scheme: 'JWT',
        username: user.username,
      });
      expect(await (await second.fetch('b/')).json()).toMatchObject({
        scheme: 'JWT',
        username: user.username,
      });
      expect(server.control.stats().issues.total).toBe(1);
    } finally {
      await first.auth.close();
      await second.auth.close();
    }
  });
});
