import { ConnexeaseAuthError, createTokenProvider, type TokenProvider } from '@connexease-kit/auth-core';
import type { MockServer } from '@connexease-kit/mock-server';
import {
  ACCESS_TOKEN,
  caught,
  type Echo,
  expectNoSecrets,
  FAST_RETRY,
  JOHN,
  startTestServer,
} from '@connexease-kit/test-support';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import ky, { type BeforeErrorState, HTTPError, isNetworkError, isTimeoutError } from 'ky';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createConnexeaseClient } from '../src/client.ts';
import { authHooks } from '../src/hooks.ts';
import { createJwtIssuer } from '../src/issuer.ts';

function jwtProvider(server: MockServer): TokenProvider {
  const store = createMemoryTokenStore();
  const provider = createTokenProvider({
    baseUrl: server.url,
    credentials: JOHN,
    issuer: createJwtIssuer({ baseUrl: server.url }),
    store,
    retry: FAST_RETRY,
  });
  onTestFinished(async () => {
    await provider.close();
    await store.close();
  });
  return provider;
}

describe('authHooks on your own ky instance', () => {
  it('composes with your hooks and headers, and signs after your beforeRequest hooks', async () => {
    const server = await startTestServer();
    const seen: string[] = [];
    const mine = ky
      .create({
        baseUrl: `${server.url}/`,
        headers: { 'x-trace': 'abc' },
        hooks: {
          beforeRequest: [({ request }) => void seen.push(`before:${request.headers.has('authorization')}`)],
          afterResponse: [({ response }) => void seen.push(`after:${response.status}`)],
        },
      })
      .extend({ hooks: authHooks(jwtProvider(server)) });
    const echo = await mine.post('things/', { json: { n: 1 } }).json<Echo>();
    expect(echo).toMatchObject({ scheme: 'JWT', method: 'POST', body: { n: 1 } });
    expect(seen).toEqual(['before:false', 'after:200']);
  });

  it('recovers from a revoked token once, resending the JSON body, and lets beforeRetry hooks see it', async () => {
    const server = await startTestServer();
    const retries: string[] = [];
    const mine = ky
      .create({
        baseUrl: `${server.url}/`,
        hooks: { beforeRetry: [({ error, retryCount }) => void retries.push(`${retryCount}:${error.name}`)] },
      })
      .extend({ hooks: authHooks(jwtProvider(server)) });
    await mine.get('warm-up/');
    server.control.revoke({ all: true });
    const payload = { list: [1, 2, 3], nested: { deep: true } };
    expect(await mine.patch('things/1/', { json: payload }).json<Echo>()).toMatchObject({ body: payload });
    expect(retries).toEqual(['1:ForceRetryError']);
    expect(server.control.stats().issues.total).toBe(2);
    expect(server.control.stats().apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
  });

  it('a second 401 on the same call is ENDPOINT_REFUSED even with retries left over', async () => {
    const server = await startTestServer();
    server.control.respond('/no/', { status: 401, body: { detail: 'no' }, times: Number.POSITIVE_INFINITY });
    const mine = ky
      .create({ baseUrl: `${server.url}/`, retry: { limit: 5 } })
      .extend({ hooks: authHooks(jwtProvider(server)) });
    expect(await caught(() => mine.get('no/'))).toMatchObject({ code: 'ENDPOINT_REFUSED', status: 401 });
    expect(server.control.stats().apiCalls.total).toBe(2);
    expect(server.control.stats().jwtAttempts.total).toBe(2);
    // A later call inside the 401 spacing: refused at once, no refresh, no resend, no loop.
    expect(await caught(() => mine.get('no/'))).toMatchObject({ code: 'ENDPOINT_REFUSED' });
    expect(server.control.stats().apiCalls.total).toBe(3);
    expect(server.control.stats().jwtAttempts.total).toBe(2);
    // The token still serves the endpoints that accept the user.
    expect((await mine.get('things/').json<Echo>()).scheme).toBe('JWT');
  });

  it('with retry.limit 0 the 401 is reported to the provider and surfaces as TOKEN_REJECTED', async () => {
    const server = await startTestServer();
    const mine = ky
      .create({ baseUrl: `${server.url}/`, retry: 0 })
      .extend({ hooks: authHooks(jwtProvider(server)) });
    await mine.get('warm-up/');
    server.control.revoke({ all: true });
    const error = await caught(() => mine.get('things/'));
    expect(error).toMatchObject({ code: 'TOKEN_REJECTED', status: 401 });
    expect((error as Error).message).toContain('retry.limit');
    // The provider refreshed, so the next call works without another issue.
    expect((await mine.get('things/').json<Echo>()).scheme).toBe('JWT');
    expect(server.control.stats().issues.total).toBe(2);
  });

  it("passes the provider's errors through unwrapped, your beforeError hooks included", async () => {
    const server = await startTestServer();
    server.control.setStatus(JOHN.username, 'banned');
    const seen: unknown[] = [];
    const mine = ky
      .create({
        baseUrl: `${server.url}/`,
        hooks: {
          beforeError: [
            ({ error }: BeforeErrorState) => {
              seen.push(error);
              return error;
            },
          ],
        },
      })
      .extend({ hooks: authHooks(jwtProvider(server)) });
    const error = await caught(() => mine.get('things/').json());
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error).toMatchObject({ code: 'AGENT_BANNED', status: 403 });
    expect(seen).toEqual([error]);
  });

  it('leaves a 401 without an Authorization header alone (not ours to refresh)', async () => {
    const server = await startTestServer();
    let refreshes = 0;
    const hooks = authHooks({
      getAuthorization: async () => `Bearer ${ACCESS_TOKEN}`,
      handleUnauthorized: async () => {
        refreshes++;
        return `Bearer ${ACCESS_TOKEN}`;
      },
    });
    const mine = ky.create({
      baseUrl: `${server.url}/`,
      hooks: {
        ...hooks,
        beforeRequest: [
          ...(hooks.beforeRequest ?? []),
          ({ request }) => void request.headers.delete('authorization'),
        ],
      },
    });
    const error = await caught(() => mine.get('things/'));
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).response.status).toBe(401);
    expect(refreshes).toBe(0);
  });
});

describe('authHooks with the client facade', () => {
  it("signs a second ky instance with createConnexeaseClient's auth, sharing its one token", async () => {
    const server = await startTestServer();
    const client = createConnexeaseClient({ baseUrl: server.url, credentials: JOHN });
    onTestFinished(() => client.auth.close());
    const other = ky.create({ baseUrl: `${server.url}/other/` }).extend({ hooks: authHooks(client.auth) });
    expect(await client.api.get('a/').json()).toMatchObject({ scheme: 'JWT' });
    expect(await other.get('b/').json()).toMatchObject({ scheme: 'JWT', path: '/other/b/' });
    expect(server.control.stats().issues.total).toBe(1);
  });
});

describe('authHooks redaction of ky errors', () => {
  it('NetworkError and TimeoutError carry the request with the token redacted', async () => {
    const server = await startTestServer();
    const unreachable = createConnexeaseClient({
      baseUrl: 'http://127.0.0.1:9',
      credentials: { accessToken: ACCESS_TOKEN },
    });
    const network = await caught(() => unreachable.api.post('things/', { json: {} }));
    expect(isNetworkError(network)).toBe(true);
    expectNoSecrets(network, [ACCESS_TOKEN]);

    const slow = createConnexeaseClient({
      baseUrl: server.url,
      credentials: { accessToken: ACCESS_TOKEN },
      timeoutMs: 100,
    });
    server.control.configure({ latencyMs: 5_000 });
    const timeout = await caught(() => slow.api.post('things/', { json: {} }));
    expect(isTimeoutError(timeout)).toBe(true);
    expect((timeout as { request: Request }).request.headers.get('authorization')).toBe('Bearer [REDACTED]');
    expectNoSecrets(timeout, [ACCESS_TOKEN]);
  });
});
