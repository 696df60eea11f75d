import { mkdtemp, readdir, rm } from 'node:fs/promises';
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
import { HTTPError } from 'ky';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  buildConnexeaseClient,
  type ConnexeaseClient,
  type ConnexeaseClientConfig,
  createConnexeaseClient,
} from '../src/client.ts';

async function setup(
  config: Partial<ConnexeaseClientConfig> = {},
  serverOptions: MockServerOptions = {},
): Promise<ConnexeaseClient & { server: MockServer }> {
  const server = await startTestServer(serverOptions);
  const client = createConnexeaseClient({
    baseUrl: server.url,
    credentials: JOHN,
    retry: FAST_RETRY,
    ...config,
  });
  onTestFinished(() => client.auth.close());
  return { server, ...client };
}

describe('createConnexeaseClient: signing', () => {
  it('sends "JWT <token>" for username + password', async () => {
    const { api, auth, server } = await setup();
    const echo = await api.get('some/endpoint/').json<Echo>();
    expect(echo).toMatchObject({
      ok: true,
      method: 'GET',
      path: '/some/endpoint/',
      scheme: 'JWT',
      username: 'john.doe',
    });
    expect(await auth.getAuthorization()).toMatch(/^JWT eyJ/);
    expect(auth.mode).toBe('jwt');
    expect(server.control.stats().apiCalls.byScheme).toMatchObject({ JWT: 1 });
  });

  it('sends "Bearer <token>" for an access token, and never calls /jwt/', async () => {
    const { api, auth, server } = await setup({ credentials: { accessToken: ACCESS_TOKEN } });
    const echo = await api.get('/some/endpoint/').json<Echo>();
    expect(echo).toMatchObject({ ok: true, scheme: 'Bearer' });
    expect(await auth.getAuthorization()).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(server.control.stats().apiCalls.byScheme).toMatchObject({ Bearer: 1 });
    expect(server.control.stats().jwtAttempts.total).toBe(0);
  });

  it('reuses one JWT for 1,000 requests, the first 50 of them concurrent', async () => {
    const { api, server } = await setup();
    const call = async () => (await api.get('items/').json<Echo>()).scheme;
    const first = await Promise.all(Array.from({ length: 50 }, call));
    for (let batch = 0; batch < 19; batch++) {
      const schemes = await Promise.all(Array.from({ length: 50 }, call));
      expect(new Set(schemes)).toEqual(new Set(['JWT']));
    }
    expect(new Set(first)).toEqual(new Set(['JWT']));
    const stats = server.control.stats();
    expect(stats.issues.total).toBe(1);
    expect(stats.jwtAttempts.total).toBe(1);
    expect(stats.apiCalls.total).toBe(1000);
    expect(stats.apiCalls.byStatus).toEqual({ '200': 1000 });
  });

  it('sends Accept: application/json and resolves paths against a base URL with a path', async () => {
    const { server } = await setup();
    const { api } = createConnexeaseClient({
      baseUrl: `${server.url}/v2`,
      credentials: { accessToken: ACCESS_TOKEN },
    });
    const echo = await api.get('orders/').json<Echo>();
    expect(echo.path).toBe('/v2/orders/');
  });
});

describe('createConnexeaseClient: 401 on an API call', () => {
  it('refreshes a revoked token once and resends a POST with its JSON body intact', async () => {
    const events: unknown[] = [];
    const { api, auth, server } = await setup({ onEvent: (event) => events.push(event) });
    await api.get('warm-up/').json();
    const revoked = await auth.getAuthorization();
    expect(server.control.revoke({ username: JOHN.username })).toBe(1);
    const payload = { order: 42, lines: [{ sku: 'a-1', qty: 2 }], note: 'ünïcödé ✓' };
    const echo = await api.post('orders/', { json: payload }).json<Echo>();
    expect(echo).toMatchObject({ ok: true, method: 'POST', scheme: 'JWT', body: payload });
    const stats = server.control.stats();
    expect(stats.issues.total).toBe(2);
    expect(stats.apiCalls.total).toBe(3);
    expect(stats.apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
    const fresh = await auth.getAuthorization();
    expect(fresh).not.toBe(revoked);
    expect(events).toContainEqual(expect.objectContaining({ type: 'token-rejected', outcome: 'refresh' }));
    expectNoSecrets(events, [revoked.slice(4), fresh.slice(4), JOHN.password]);
  });

  it('gives up after one refresh when the fresh token is rejected too: ENDPOINT_REFUSED, no loop', async () => {
    const { api, auth, server } = await setup();
    server.control.respond('/always-401/', {
      status: 401,
      body: { detail: 'no' },
      times: Number.POSITIVE_INFINITY,
    });
    await api.get('warm-up/').json();
    const error = await caught(() => api.put('always-401/', { json: { keep: true } }).json());
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error).toMatchObject({ code: 'ENDPOINT_REFUSED', status: 401 });
    expect((error as Error).message).toContain('endpoint refuses this API user');
    const stats = server.control.stats();
    expect(stats.jwtAttempts.total).toBe(2);
    expect(stats.apiCalls.total).toBe(3);
    // The refreshed token is kept and serves the other endpoints.
    const kept = await auth.getAuthorization();
    await api.get('warm-up/').json();
    expect(await auth.getAuthorization()).toBe(kept);
    expect(server.control.stats().jwtAttempts.total).toBe(2);
  });

  it('refreshes once for a token the API rejects right after it was issued (an early revocation)', async () => {
    const { api, server } = await setup();
    await api.get('warm-up/').json();
    expect(server.control.revoke({ username: JOHN.username })).toBe(1);
    expect((await api.get('orders/').json<Echo>()).scheme).toBe('JWT');
    expect(server.control.stats().jwtAttempts.total).toBe(2);
    expect(server.control.stats().apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
  });

  it('never refreshes an access token: ACCESS_TOKEN_REJECTED after one call', async () => {
    const { api, server } = await setup({ credentials: { accessToken: ACCESS_TOKEN } });
    server.control.revoke({ token: ACCESS_TOKEN });
    const error = await caught(() => api.get('some/endpoint/'));
    expect(error).toMatchObject({ code: 'ACCESS_TOKEN_REJECTED', status: 401 });
    expect(server.control.stats().apiCalls.total).toBe(1);
    expect(server.control.stats().jwtAttempts.total).toBe(0);
    expectNoSecrets(error, [ACCESS_TOKEN]);
  });
});

describe('createConnexeaseClient: POST /jwt/ failures', () => {
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
    '%s: typed error after exactly one attempt, no API call',
    async (_name, arrange, code, status) => {
      const { api, server } = await setup();
      arrange(server);
      const error = await caught(() => api.get('some/endpoint/'));
      expect(error).toBeInstanceOf(ConnexeaseAuthError);
      expect(error).toMatchObject({ code, status, retryable: false });
      expect(server.control.stats().jwtAttempts.total).toBe(1);
      expect(server.control.stats().apiCalls.total).toBe(0);
      expectNoSecrets(error, [JOHN.password]);
      // The block is shared: the next call fails fast without another attempt.
      expect(await caught(() => api.get('some/endpoint/'))).toBeInstanceOf(ConnexeaseAuthError);
      expect(server.control.stats().jwtAttempts.total).toBe(1);
    },
  );

  it('400: INVALID_REQUEST after exactly one attempt', async () => {
    let attempts = 0;
    const url = await startHttpServer((request, response) => {
      attempts++;
      request.resume();
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end('{"message": "Username is required."}');
    });
    const { api, auth } = createConnexeaseClient({
      baseUrl: url,
      credentials: JOHN,
      retry: FAST_RETRY,
    });
    onTestFinished(() => auth.close());
    expect(await caught(() => api.get('x/'))).toMatchObject({
      code: 'INVALID_REQUEST',
      status: 400,
      retryable: false,
    });
    expect(attempts).toBe(1);
  });

  it.each([
    ['502 HTML page', '502-html', 'TOKEN_ENDPOINT_UNAVAILABLE'],
    ['connection reset', 'reset', 'TOKEN_ENDPOINT_UNAVAILABLE'],
    ['hang', 'hang', 'TIMEOUT'],
  ] as const)(
    '%s: retried by the provider, then the typed error when it persists',
    async (_name, fault, lastCode) => {
      const { api, server } = await setup({ timeoutMs: 300 });
      server.control.queueFaults(fault, fault, fault, fault);
      const error = await caught(() => api.get('some/endpoint/'));
      expect(error).toBeInstanceOf(ConnexeaseAuthError);
      expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', retryable: true });
      expect((error as Error).cause).toMatchObject({ code: lastCode, retryable: true });
      expect(server.control.stats().jwtAttempts.total).toBe(FAST_RETRY.attempts);
      expect(server.control.stats().apiCalls.total).toBe(0);
      expectNoSecrets(error, [JOHN.password]);
    },
  );

  it('a transient 502 then success: the request goes through on the retry', async () => {
    const { api, server } = await setup();
    server.control.queueFaults('502-html');
    expect((await api.get('some/endpoint/').json<Echo>()).scheme).toBe('JWT');
    expect(server.control.stats().jwtAttempts.total).toBe(2);
    expect(server.control.stats().issues.total).toBe(1);
  });

  it('retries stay within the quota: QUOTA_EXHAUSTED once it is spent, nothing more sent', async () => {
    const { api, server } = await setup({ quota: { limit: 2 } });
    server.control.queueFaults('502-html', '502-html', '502-html');
    const error = await caught(() => api.get('some/endpoint/'));
    expect(error).toMatchObject({ code: 'QUOTA_EXHAUSTED' });
    expect(typeof (error as ConnexeaseAuthError).retryAt).toBe('number');
    expect(server.control.stats().jwtAttempts.total).toBe(2);
  });
});

describe('createConnexeaseClient: ky retry policy for API calls', () => {
  it.each([400, 403, 404, 408, 409, 413, 422, 429])('never retries %i (GET and PUT)', async (status) => {
    const { api, server } = await setup({ credentials: { accessToken: ACCESS_TOKEN } });
    server.control.respond('/fails/', { status, body: { detail: 'nope' }, times: Number.POSITIVE_INFINITY });
    const get = await caught(() => api.get('fails/'));
    const put = await caught(() => api.put('fails/', { json: { a: 1 } }));
    for (const error of [get, put]) {
      expect(error).toBeInstanceOf(HTTPError);
      expect((error as HTTPError).response.status).toBe(status);
    }
    expect(server.control.stats().apiCalls.total).toBe(2);
  });

  it('retries a 5XX on GET and succeeds', async () => {
    const { api, server } = await setup({ credentials: { accessToken: ACCESS_TOKEN } });
    server.control.respond('/flaky/', { status: 502, body: 'Bad Gateway', times: 1 });
    expect((await api.get('flaky/').json<Echo>()).ok).toBe(true);
    expect(server.control.stats().apiCalls.byStatus).toEqual({ '502': 1, '200': 1 });
  });

  it('gives a persistent 5XX on GET its retries, then an HTTPError', async () => {
    const { api, server } = await setup({ credentials: { accessToken: ACCESS_TOKEN } });
    server.control.respond('/down/', {
      status: 500,
      body: { detail: 'boom' },
      times: Number.POSITIVE_INFINITY,
    });
    const error = await caught(() => api.get('down/'));
    expect(error).toBeInstanceOf(HTTPError);
    expect(server.control.stats().apiCalls.total).toBe(3);
  });

  it('never retries a 5XX on POST or PATCH', async () => {
    const { api, server } = await setup({ credentials: { accessToken: ACCESS_TOKEN } });
    server.control.respond('/down/', { status: 503, times: Number.POSITIVE_INFINITY });
    expect(await caught(() => api.post('down/', { json: { a: 1 } }))).toBeInstanceOf(HTTPError);
    expect(await caught(() => api.patch('down/', { json: { a: 1 } }))).toBeInstanceOf(HTTPError);
    expect(server.control.stats().apiCalls.total).toBe(2);
  });
});

describe('createConnexeaseClient: abort signals', () => {
  it('cancels while the token is being fetched: ABORTED, no API call', async () => {
    const { api, server } = await setup();
    server.control.queueFaults('hang');
    const controller = new AbortController();
    const pending = caught(() => api.get('some/endpoint/', { signal: controller.signal }));
    await server.control.waitFor({ jwtAttempts: 1 });
    controller.abort();
    const error = await pending;
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(server.control.stats().apiCalls.total).toBe(0);
  });

  it('cancels during the API call with the AbortError fetch gives', async () => {
    const { api, server } = await setup();
    await api.get('warm-up/');
    server.control.configure({ latencyMs: 60_000 });
    const controller = new AbortController();
    const pending = caught(() => api.get('slow/', { signal: controller.signal }));
    await server.control.waitFor({ apiCalls: 2 });
    controller.abort();
    const error = await pending;
    expect((error as Error).name).toBe('AbortError');
  });
});

describe('createConnexeaseClient: secrets and lifecycle', () => {
  it('keeps the token out of HTTPError message, inspect and JSON', async () => {
    const { api, auth, server } = await setup();
    server.control.respond('/missing/', { status: 404, body: { detail: 'Not found.' } });
    const error = await caught(() => api.get('missing/'));
    expect(error).toBeInstanceOf(HTTPError);
    const authorization = await auth.getAuthorization();
    const token = authorization.slice('JWT '.length);
    expectNoSecrets(error, [token, JOHN.password]);
    expect((error as HTTPError).request.headers.get('authorization')).toBe('JWT [REDACTED]');
    expectNoSecrets(auth, [token, JOHN.password]);
  });

  it('rejects bad configuration with CONFIG_INVALID before sending anything', async () => {
    const server = await startTestServer();
    const bad: Partial<ConnexeaseClientConfig>[] = [
      { baseUrl: 'not a url' },
      { baseUrl: server.url, credentials: { username: '', password: 'x' } },
      { baseUrl: server.url, timeoutMs: -1 },
      { baseUrl: server.url, quota: { limit: 31 } },
    ];
    for (const config of bad) {
      expect(() =>
        createConnexeaseClient({ credentials: JOHN, ...config } as ConnexeaseClientConfig),
      ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    }
    expect(server.control.stats().jwtAttempts.total).toBe(0);
  });

  it('`timeout` instead of `timeoutMs`: the warning reaches onEvent, or process.on("warning") without one', async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error): void => void warnings.push(warning);
    process.on('warning', onWarning);
    onTestFinished(() => void process.off('warning', onWarning));
    const seen: unknown[] = [];
    const observed = createConnexeaseClient({
      credentials: { accessToken: ACCESS_TOKEN },
      timeout: 5000,
      onEvent: (event) => seen.push(event),
    } as ConnexeaseClientConfig);
    onTestFinished(() => observed.auth.close());
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual([{ type: 'warning', message: 'unknown option "timeout" is ignored' }]);
    expect(warnings).toEqual([]);

    const unobserved = createConnexeaseClient({
      credentials: { accessToken: ACCESS_TOKEN },
      timeout: 5000,
    } as ConnexeaseClientConfig);
    onTestFinished(() => unobserved.auth.close());
    await new Promise((resolve) => setImmediate(resolve));
    expect(warnings).toMatchObject([
      { code: 'CONNEXEASE_WARNING', message: 'unknown option "timeout" is ignored' },
    ]);
  });

  it('closes the store it created, but not a store it was given', async () => {
    const server = await startTestServer();
    const ownedStore = createMemoryTokenStore();
    const owned = buildConnexeaseClient({ baseUrl: server.url, credentials: JOHN }, { ownedStore });
    await owned.api.get('some/endpoint/');
    await owned.auth.close();
    await owned.auth.close();
    expect(await caught(() => ownedStore.readToken('any'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });

    const store = createMemoryTokenStore();
    onTestFinished(() => store.close());
    const given = createConnexeaseClient({ baseUrl: server.url, credentials: JOHN, store });
    await given.api.get('some/endpoint/');
    await given.auth.close();
    expect((await store.quotaUsage('any', { windowMs: 1000 })).used).toBe(0);
  });
});

describe("createConnexeaseClient: store: 'file'", () => {
  it('keeps the JWT in the file store across a restart: the next client reuses it, one issue', async () => {
    const cache = await mkdtemp(join(tmpdir(), 'cxk-http-ky-cache-'));
    onTestFinished(() => rm(cache, { recursive: true, force: true }));
    // The file store's default directory is $XDG_CACHE_HOME/connexease-kit.
    vi.stubEnv('XDG_CACHE_HOME', cache);
    onTestFinished(() => void vi.unstubAllEnvs());
    const server = await startTestServer();
    const config = { baseUrl: server.url, credentials: JOHN, store: 'file' } as const;

    const first = createConnexeaseClient(config);
    expect(await first.api.get('a/').json<Echo>()).toMatchObject({ scheme: 'JWT' });
    const authorization = await first.auth.getAuthorization();
    await first.auth.close();
    const files = await readdir(join(cache, 'connexease-kit'));
    expect(files.filter((name) => name.endsWith('.json'))).toHaveLength(1);

    const second = createConnexeaseClient(config);
    onTestFinished(() => second.auth.close());
    expect(await second.api.post('b/', { json: { n: 1 } }).json<Echo>()).toMatchObject({ body: { n: 1 } });
    expect(await second.auth.getAuthorization()).toBe(authorization);
    expect(server.control.stats().issues.total).toBe(1);
  });

  it('loads the package on first use; without it every call is CONFIG_INVALID saying how to install it', async () => {
    const server = await startTestServer();
    let loads = 0;
    const { api, auth } = buildConnexeaseClient(
      { baseUrl: server.url, credentials: JOHN, store: 'file' },
      {
        loadFileStore: () => {
          loads++;
          return Promise.reject(new Error("Cannot find package '@connexease-kit/token-store-file'"));
        },
      },
    );
    expect(loads).toBe(0);
    const error = await caught(() => api.get('x/'));
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('install it: npm install @connexease-kit/token-store-file'),
    });
    expect(await caught(() => auth.status())).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(await caught(() => auth.getAuthorization())).toMatchObject({ code: 'CONFIG_INVALID' });
    expect(loads).toBe(1);
    expect(server.control.stats().jwtAttempts.total).toBe(0);
    expect(server.control.stats().apiCalls.total).toBe(0);
    await auth.close();
    expectNoSecrets(error, [JOHN.password]);
  });

  it('creates no store for an access token', async () => {
    const server = await startTestServer();
    let loads = 0;
    const { api, auth } = buildConnexeaseClient(
      { baseUrl: server.url, credentials: { accessToken: ACCESS_TOKEN }, store: 'file' },
      {
        loadFileStore: () => {
          loads++;
          return Promise.reject(new Error('not expected'));
        },
      },
    );
    onTestFinished(() => auth.close());
    expect(await api.get('x/').json<Echo>()).toMatchObject({ scheme: 'Bearer' });
    expect(loads).toBe(0);
  });

  it.each(['redis', 'File', '', 42])('store: %o is CONFIG_INVALID', (store) => {
    expect(() =>
      createConnexeaseClient({ credentials: JOHN, store } as unknown as ConnexeaseClientConfig),
    ).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining("'file'") }),
    );
  });
});
