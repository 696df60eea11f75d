import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import type { MockServer, MockServerOptions } from '@connexease-kit/mock-server';
import {
  ACCESS_TOKEN,
  caught,
  type Echo,
  expectNoSecrets,
  FAST_RETRY,
  JOHN,
  startHttpServer,
  startTestServer,
} from '@connexease-kit/test-support';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  buildConnexeaseFetch,
  type ConnexeaseFetch,
  type ConnexeaseFetchConfig,
  createConnexeaseFetch,
} from '../src/client.ts';

async function setup(
  config: Partial<ConnexeaseFetchConfig> = {},
  serverOptions: MockServerOptions = {},
): Promise<ConnexeaseFetch & { server: MockServer }> {
  const server = await startTestServer(serverOptions);
  const client = createConnexeaseFetch({
    baseUrl: server.url,
    credentials: JOHN,
    retry: FAST_RETRY,
    ...config,
  });
  onTestFinished(() => client.auth.close());
  return { server, ...client };
}

async function json<T>(response: Promise<Response>): Promise<T> {
  return (await (await response).json()) as T;
}

describe('createConnexeaseFetch: signing', () => {
  it('sends "JWT <token>" for username + password, with Accept: application/json', async () => {
    const { fetch, auth, server } = await setup();
    const response = await fetch('some/endpoint/');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      ok: true,
      method: 'GET',
      path: '/some/endpoint/',
      scheme: 'JWT',
      username: 'john.doe',
    });
    expect(await auth.getAuthorization()).toMatch(/^JWT eyJ/);
    expect(server.control.stats().apiCalls.byScheme).toMatchObject({ JWT: 1 });
  });

  it('sends "Bearer <token>" for an access token, and never calls /jwt/', async () => {
    const { fetch, server } = await setup({ credentials: { accessToken: ACCESS_TOKEN } });
    expect(await json<Echo>(fetch('/some/endpoint/'))).toMatchObject({ ok: true, scheme: 'Bearer' });
    expect(server.control.stats().jwtAttempts.total).toBe(0);
  });

  it('reuses one JWT for 1,000 requests, the first 50 of them concurrent', async () => {
    const { fetch, server } = await setup();
    const call = async () => (await json<Echo>(fetch('items/'))).scheme;
    for (let batch = 0; batch < 20; batch++) {
      const schemes = await Promise.all(Array.from({ length: 50 }, call));
      expect(new Set(schemes)).toEqual(new Set(['JWT']));
    }
    const stats = server.control.stats();
    expect(stats.issues.total).toBe(1);
    expect(stats.jwtAttempts.total).toBe(1);
    expect(stats.apiCalls.byStatus).toEqual({ '200': 1000 });
  });

  it('resolves string and URL inputs against a base URL with a path; absolute URLs and Requests as given', async () => {
    const { server } = await setup();
    const { fetch, auth } = createConnexeaseFetch({
      baseUrl: `${server.url}/v2`,
      credentials: { accessToken: ACCESS_TOKEN },
    });
    onTestFinished(() => auth.close());
    expect((await json<Echo>(fetch('orders/'))).path).toBe('/v2/orders/');
    expect((await json<Echo>(fetch(new URL(`${server.url}/abs/`)))).path).toBe('/abs/');
    expect((await json<Echo>(fetch(new Request(`${server.url}/req/`)))).path).toBe('/req/');
    expect((await json<Echo>(fetch('/root/'))).path).toBe('/root/');
  });

  it('overrides an Authorization header the caller set, and keeps the other headers', async () => {
    const seen: Record<string, string | undefined>[] = [];
    const url = await startHeaderServer(seen);
    const { fetch, auth } = createConnexeaseFetch({
      baseUrl: url,
      credentials: { accessToken: ACCESS_TOKEN },
    });
    onTestFinished(() => auth.close());
    await fetch('a/', { headers: { authorization: 'Bearer forged', 'x-trace': 'abc', accept: 'text/csv' } });
    await fetch(new Request(`${url}/b/`, { headers: [['x-trace', 'def']] }));
    expect(seen).toEqual([
      { authorization: `Bearer ${ACCESS_TOKEN}`, trace: 'abc', accept: 'text/csv' },
      { authorization: `Bearer ${ACCESS_TOKEN}`, trace: 'def', accept: 'application/json' },
    ]);
  });
});

describe('createConnexeaseFetch: 401 on an API call', () => {
  it('refreshes a revoked token once and resends a POST with its JSON body intact', async () => {
    const events: unknown[] = [];
    const { fetch, auth, server } = await setup({
      onEvent: (event) => events.push(event),
    });
    await (await fetch('warm-up/')).arrayBuffer();
    const revoked = await auth.getAuthorization();
    expect(server.control.revoke({ username: JOHN.username })).toBe(1);
    const payload = { order: 42, lines: [{ sku: 'a-1', qty: 2 }], note: 'ünïcödé ✓' };
    const echo = await json<Echo>(
      fetch('orders/', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
      }),
    );
    expect(echo).toMatchObject({ ok: true, method: 'POST', scheme: 'JWT', body: payload });
    const stats = server.control.stats();
    expect(stats.issues.total).toBe(2);
    expect(stats.apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
    const fresh = await auth.getAuthorization();
    expect(fresh).not.toBe(revoked);
    expectNoSecrets(events, [revoked.slice(4), fresh.slice(4), JOHN.password]);
  });

  it('resends a Request with a body intact (the body is cloned before the first send)', async () => {
    const { fetch, server } = await setup();
    await (await fetch('warm-up/')).arrayBuffer();
    server.control.revoke({ all: true });
    const payload = { request: true, list: [1, 2, 3] };
    const request = new Request(`${server.url}/things/`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    });
    expect(await json<Echo>(fetch(request))).toMatchObject({ method: 'PUT', body: payload });
    expect(server.control.stats().apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
  });

  it('does not resend a streamed body: refreshes, then TOKEN_REJECTED saying to send it again', async () => {
    const { fetch, server } = await setup();
    await (await fetch('warm-up/')).arrayBuffer();
    server.control.revoke({ all: true });
    const body = new Blob([JSON.stringify({ streamed: true })]).stream();
    const error = await caught(() =>
      fetch('upload/', { method: 'POST', body, duplex: 'half' } as RequestInit),
    );
    expect(error).toMatchObject({ code: 'TOKEN_REJECTED', status: 401 });
    expect((error as Error).message).toContain('stream');
    // The token was refreshed: the next call goes through with one more issue only.
    expect((await json<Echo>(fetch('after/'))).scheme).toBe('JWT');
    expect(server.control.stats().issues.total).toBe(2);
    expect(server.control.stats().apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
  });

  it('gives up after one refresh when the fresh token is rejected too: ENDPOINT_REFUSED, no loop', async () => {
    const { fetch, auth, server } = await setup();
    server.control.respond('/always-401/', {
      status: 401,
      body: { detail: 'no' },
      times: Number.POSITIVE_INFINITY,
    });
    await fetch('warm-up/');
    const error = await caught(() => fetch('always-401/', { method: 'PUT', body: '{"keep":true}' }));
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error).toMatchObject({ code: 'ENDPOINT_REFUSED', status: 401 });
    expect((error as Error).message).toContain('endpoint refuses this API user');
    expect(server.control.stats().jwtAttempts.total).toBe(2);
    expect(server.control.stats().apiCalls.total).toBe(3);
    // The refreshed token is kept and serves the other endpoints.
    const kept = await auth.getAuthorization();
    expect((await fetch('warm-up/')).status).toBe(200);
    expect(await auth.getAuthorization()).toBe(kept);
    expect(server.control.stats().jwtAttempts.total).toBe(2);
  });

  it('refreshes once for a token the API rejects right after it was issued (an early revocation)', async () => {
    const { fetch, server } = await setup();
    await fetch('warm-up/');
    expect(server.control.revoke({ username: JOHN.username })).toBe(1);
    expect((await fetch('orders/')).status).toBe(200);
    expect(server.control.stats().jwtAttempts.total).toBe(2);
    expect(server.control.stats().apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
  });

  it('never refreshes an access token: ACCESS_TOKEN_REJECTED after one call', async () => {
    const { fetch, server } = await setup({ credentials: { accessToken: ACCESS_TOKEN } });
    server.control.revoke({ token: ACCESS_TOKEN });
    const error = await caught(() => fetch('some/endpoint/'));
    expect(error).toMatchObject({ code: 'ACCESS_TOKEN_REJECTED', status: 401 });
    expect(server.control.stats().apiCalls.total).toBe(1);
    expect(server.control.stats().jwtAttempts.total).toBe(0);
    expectNoSecrets(error, [ACCESS_TOKEN]);
  });

  it('returns every other status as a Response, without retrying it', async () => {
    const { fetch, server } = await setup({ credentials: { accessToken: ACCESS_TOKEN } });
    for (const status of [400, 403, 404, 429, 500, 503]) {
      server.control.respond(`/s${status}/`, { status, body: { detail: 'x' }, times: 1 });
      expect((await fetch(`s${status}/`)).status).toBe(status);
    }
    expect(server.control.stats().apiCalls.total).toBe(6);
  });
});

describe('createConnexeaseFetch: POST /jwt/ failures', () => {
  it.each([
    [
      '401 wrong password',
      (server: MockServer) => server.control.setPassword(JOHN.username, 'rotated-password'),
      'INVALID_CREDENTIALS',
      401,
    ],
    [
      '403 banned',
      (server: MockServer) => server.control.setStatus(JOHN.username, 'banned'),
      'AGENT_BANNED',
      403,
    ],
    [
      '403 inactive',
      (server: MockServer) => server.control.setStatus(JOHN.username, 'inactive'),
      'ACCOUNT_INACTIVE',
      403,
    ],
  ] as const)(
    '%s: typed error after exactly one attempt, no API call, never retried',
    async (_name, arrange, code, status) => {
      const { fetch, server } = await setup();
      arrange(server);
      const error = await caught(() => fetch('some/endpoint/'));
      expect(error).toBeInstanceOf(ConnexeaseAuthError);
      expect(error).toMatchObject({ code, status, retryable: false });
      expectNoSecrets(error, [JOHN.password]);
      expect(await caught(() => fetch('some/endpoint/'))).toBeInstanceOf(ConnexeaseAuthError);
      expect(server.control.stats().jwtAttempts.total).toBe(1);
      expect(server.control.stats().apiCalls.total).toBe(0);
    },
  );

  it.each([
    ['502 HTML page', '502-html', 'TOKEN_ENDPOINT_UNAVAILABLE'],
    ['connection reset', 'reset', 'TOKEN_ENDPOINT_UNAVAILABLE'],
    ['hang', 'hang', 'TIMEOUT'],
  ] as const)(
    '%s: retried by the provider, then the typed error when it persists',
    async (_name, fault, lastCode) => {
      const { fetch, server } = await setup({ timeoutMs: 300 });
      server.control.queueFaults(fault, fault, fault, fault);
      const error = await caught(() => fetch('some/endpoint/'));
      expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', retryable: true });
      expect((error as Error).cause).toMatchObject({ code: lastCode, retryable: true });
      expect(server.control.stats().jwtAttempts.total).toBe(FAST_RETRY.attempts);
      expect(server.control.stats().apiCalls.total).toBe(0);
      expectNoSecrets(error, [JOHN.password]);
    },
  );

  it('an HTML page or a body that is not JSON with a 200: INVALID_RESPONSE, never a token', async () => {
    const { fetch, server } = await setup();
    server.control.queueFaults('html-200');
    expect(await caught(() => fetch('x/'))).toMatchObject({ code: 'INVALID_RESPONSE' });
    expect(server.control.stats().apiCalls.total).toBe(0);
  });

  it('retries stay within the quota: QUOTA_EXHAUSTED once it is spent, nothing more sent', async () => {
    const { fetch, server } = await setup({ quota: { limit: 2 } });
    server.control.queueFaults('502-html', '502-html', '502-html');
    const error = await caught(() => fetch('some/endpoint/'));
    expect(error).toMatchObject({ code: 'QUOTA_EXHAUSTED' });
    expect(server.control.stats().jwtAttempts.total).toBe(2);
  });
});

describe('createConnexeaseFetch: signals and timeouts', () => {
  it('cancels while the token is being fetched: ABORTED, no API call', async () => {
    const { fetch, server } = await setup();
    server.control.queueFaults('hang');
    const controller = new AbortController();
    const pending = caught(() => fetch('some/endpoint/', { signal: controller.signal }));
    await server.control.waitFor({ jwtAttempts: 1 });
    controller.abort();
    expect(await pending).toMatchObject({ code: 'ABORTED' });
    expect(server.control.stats().apiCalls.total).toBe(0);
  });

  it("cancels during the API call with fetch's AbortError; timeoutMs ends an attempt with a TimeoutError", async () => {
    const { fetch, server } = await setup({ timeoutMs: 300 });
    await (await fetch('warm-up/')).arrayBuffer();
    server.control.configure({ latencyMs: 60_000 });
    const controller = new AbortController();
    const pending = caught(() => fetch('slow/', { signal: controller.signal }));
    await server.control.waitFor({ apiCalls: 2 });
    controller.abort();
    expect((await pending) as Error).toMatchObject({ name: 'AbortError' });
    expect((await caught(() => fetch('slow/'))) as Error).toMatchObject({ name: 'TimeoutError' });
  });
});

describe('createConnexeaseFetch: the timeout covers the response, not the body', () => {
  it('a body that streams for longer than timeoutMs is read to the end', async () => {
    const url = await startHttpServer((request, response) => {
      request.resume();
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"slow":');
      setTimeout(() => response.end('true}'), 600);
    });
    const { fetch, auth } = createConnexeaseFetch({
      baseUrl: url,
      credentials: { accessToken: ACCESS_TOKEN },
      timeoutMs: 200,
    });
    onTestFinished(() => auth.close());
    expect(await (await fetch('x/')).json()).toEqual({ slow: true });
  });
});

describe('createConnexeaseFetch: secrets, validation and lifecycle', () => {
  it('keeps the token out of what a failing fetch throws', async () => {
    const token = 'cxk-secret-access-token-0123456789';
    const leaky = async (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
      const header = new Headers(init?.headers).get('authorization');
      throw Object.assign(new Error(`proxy refused ${header}`), {
        request: { headers: { authorization: header } },
      });
    };
    const { fetch, auth } = createConnexeaseFetch({ credentials: { accessToken: token }, fetch: leaky });
    onTestFinished(() => auth.close());
    const error = await caught(() => fetch('x/'));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('proxy refused Bearer [redacted]');
    expectNoSecrets(error, [token]);

    const unreachable = createConnexeaseFetch({
      baseUrl: 'http://127.0.0.1:9',
      credentials: { accessToken: token },
    });
    const network = await caught(() => unreachable.fetch('x/', { method: 'POST', body: '{}' }));
    expect((network as Error).name).toBe('TypeError');
    expectNoSecrets(network, [token]);
    await unreachable.auth.close();
  });

  it('shows no token or password in util.inspect or JSON of what it returns', async () => {
    const { fetch, auth, forHost, server } = await setup();
    await (await fetch('a/')).arrayBuffer();
    const token = (await auth.getAuthorization()).slice('JWT '.length);
    expectNoSecrets({ fetch, auth, forHost, other: forHost(server.url) }, [token, JOHN.password]);
    expectNoSecrets(await auth.status(), [token, JOHN.password]);
  });

  it('rejects bad configuration with CONFIG_INVALID before sending anything, never echoing a secret', async () => {
    const server = await startTestServer();
    const bad: Partial<ConnexeaseFetchConfig>[] = [
      { baseUrl: 'not a url' },
      { baseUrl: 'https://user:secret-in-url@example.com' },
      { baseUrl: server.url, credentials: { username: '', password: 'x' } },
      { baseUrl: server.url, credentials: { accessToken: 'tok\r\nX-Injected: 1' } },
      { baseUrl: server.url, credentials: { accessToken: 'has space' } },
      { baseUrl: server.url, timeoutMs: -1 },
      { baseUrl: server.url, quota: { limit: 31 } },
      { baseUrl: server.url, store: 'redis' as never },
    ];
    for (const config of bad) {
      const error = (() => {
        try {
          createConnexeaseFetch({ credentials: JOHN, ...config } as ConnexeaseFetchConfig);
        } catch (thrown) {
          return thrown;
        }
        return undefined;
      })();
      expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
      expectNoSecrets(error, ['secret-in-url', 'X-Injected', JOHN.password]);
    }
    const { forHost, auth } = createConnexeaseFetch({ baseUrl: server.url, credentials: JOHN });
    onTestFinished(() => auth.close());
    expect(() => forHost('ftp://stream.example')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(server.control.stats().jwtAttempts.total).toBe(0);
  });

  it('a token with CR/LF from POST /jwt/ is INVALID_RESPONSE and never reaches a header', async () => {
    const url = await startJwtServer(JSON.stringify({ token: 'eyJ.a\r\nX-Evil: 1.b' }));
    const { fetch, auth } = createConnexeaseFetch({ baseUrl: url, credentials: JOHN, retry: FAST_RETRY });
    onTestFinished(() => auth.close());
    const error = await caught(() => fetch('x/'));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', retryable: false });
    expectNoSecrets(error, ['X-Evil', JOHN.password]);
  });

  it('closes the store it created, but not a store it was given', async () => {
    const server = await startTestServer();
    const ownedStore = createMemoryTokenStore();
    const owned = buildConnexeaseFetch({ baseUrl: server.url, credentials: JOHN }, { ownedStore });
    await (await owned.fetch('some/endpoint/')).arrayBuffer();
    await owned.auth.close();
    expect(await caught(() => ownedStore.readToken('any'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });

    const store = createMemoryTokenStore();
    onTestFinished(() => store.close());
    const given = createConnexeaseFetch({ baseUrl: server.url, credentials: JOHN, store });
    await (await given.fetch('some/endpoint/')).arrayBuffer();
    await given.auth.close();
    expect((await store.quotaUsage('any', { windowMs: 1000 })).used).toBe(0);
  });
});

describe("createConnexeaseFetch: store: 'file'", () => {
  it('keeps the JWT on disk across a restart: the next client reuses it, one issue', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'cxk-http-fetch-cache-'));
    onTestFinished(() => rm(cache, { recursive: true, force: true }));
    vi.stubEnv('XDG_CACHE_HOME', cache);
    onTestFinished(() => void vi.unstubAllEnvs());
    const server = await startTestServer();
    const config = { baseUrl: server.url, credentials: JOHN, store: 'file' } as const;
    const first = createConnexeaseFetch(config);
    expect(await json<Echo>(first.fetch('a/'))).toMatchObject({ scheme: 'JWT' });
    const authorization = await first.auth.getAuthorization();
    await first.auth.close();
    const second = createConnexeaseFetch(config);
    onTestFinished(() => second.auth.close());
    expect(await json<Echo>(second.fetch('b/'))).toMatchObject({ scheme: 'JWT' });
    expect(await second.auth.getAuthorization()).toBe(authorization);
    expect(server.control.stats().issues.total).toBe(1);
  });

  it('without the package every call is CONFIG_INVALID saying how to install it; nothing is sent', async () => {
    const server = await startTestServer();
    const { fetch, auth } = buildConnexeaseFetch(
      { baseUrl: server.url, credentials: JOHN, store: 'file' },
      {
        loadFileStore: () =>
          Promise.reject(new Error("Cannot find package '@connexease-kit/token-store-file'")),
      },
    );
    onTestFinished(() => auth.close());
    expect(await caught(() => fetch('x/'))).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('npm install @connexease-kit/token-store-file'),
    });
    expect(server.control.stats().jwtAttempts.total).toBe(0);
    expect(server.control.stats().apiCalls.total).toBe(0);
  });
});

/** A server that records the headers of every call and answers 200 `{}`. */
async function startHeaderServer(seen: Record<string, string | undefined>[]): Promise<string> {
  return startHttpServer((request, response) => {
    request.resume();
    seen.push({
      authorization: request.headers.authorization,
      trace: request.headers['x-trace'] as string | undefined,
      accept: request.headers.accept,
    });
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
}

/** A token endpoint that answers every POST /jwt/ with `body` (status 200). */
async function startJwtServer(body: string): Promise<string> {
  return startHttpServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
}
