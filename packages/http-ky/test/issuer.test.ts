import type { IncomingHttpHeaders } from 'node:http';
import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import {
  caught,
  expectNoSecrets,
  JOHN,
  startHttpServer,
  startTestServer,
} from '@connexease-kit/test-support';
import ky from 'ky';
import { describe, expect, it } from 'vitest';
import { authHooks } from '../src/hooks.ts';
import { createJwtIssuer } from '../src/issuer.ts';

const signal = (): AbortSignal => new AbortController().signal;

describe('createJwtIssuer against the mock API', () => {
  it('issues a token with receivedAt, the Date header as serverDate, and the account uuid', async () => {
    const server = await startTestServer();
    let now = 1_900_000_000_000;
    const issuer = createJwtIssuer({ baseUrl: server.url, now: () => now++ });
    const issued = await issuer({ ...JOHN, signal: signal() });
    expect(issued.token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(issued.receivedAt).toBe(1_900_000_000_000);
    expect(typeof issued.serverDate).toBe('number');
    expect(Math.abs((issued.serverDate ?? 0) - server.control.now())).toBeLessThan(60_000);
    expect(issued.accountId).toBe(server.control.getUser(JOHN.username)?.accountUuid);
    expect(server.control.stats().jwtAttempts.total).toBe(1);
    expect(server.control.stats().issues.total).toBe(1);
  });

  it.each([
    ['400 missing username', { username: '', password: 'x' }, 'INVALID_REQUEST', 400],
    [
      '401 wrong password',
      { username: JOHN.username, password: 'wrong-password-123' },
      'INVALID_CREDENTIALS',
      401,
    ],
  ] as const)(
    '%s: typed error, not retryable, exactly one attempt',
    async (_name, credentials, code, status) => {
      const server = await startTestServer();
      const issuer = createJwtIssuer({ baseUrl: server.url });
      const error = await caught(() => issuer({ ...credentials, signal: signal() }));
      expect(error).toBeInstanceOf(ConnexeaseAuthError);
      expect(error).toMatchObject({ code, status, retryable: false });
      expect(server.control.stats().jwtAttempts.total).toBe(1);
      if (credentials.password !== 'x') expectNoSecrets(error, [credentials.password]);
    },
  );

  it('403 banned and 403 inactive: AGENT_BANNED and ACCOUNT_INACTIVE, one attempt each', async () => {
    const server = await startTestServer();
    const issuer = createJwtIssuer({ baseUrl: server.url });
    server.control.setStatus(JOHN.username, 'banned');
    expect(await caught(() => issuer({ ...JOHN, signal: signal() }))).toMatchObject({
      code: 'AGENT_BANNED',
      status: 403,
      retryable: false,
    });
    server.control.setStatus(JOHN.username, 'inactive');
    expect(await caught(() => issuer({ ...JOHN, signal: signal() }))).toMatchObject({
      code: 'ACCOUNT_INACTIVE',
      status: 403,
      retryable: false,
    });
    expect(server.control.stats().jwtAttempts.total).toBe(2);
  });

  it('502 HTML page: TOKEN_ENDPOINT_UNAVAILABLE, retryable', async () => {
    const server = await startTestServer();
    server.control.queueFaults('502-html');
    const error = await caught(() => createJwtIssuer({ baseUrl: server.url })({ ...JOHN, signal: signal() }));
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status: 502, retryable: true });
    expect(server.control.stats().jwtAttempts.total).toBe(1);
  });

  it('connection reset: TOKEN_ENDPOINT_UNAVAILABLE, retryable, with a sanitised cause', async () => {
    const server = await startTestServer();
    server.control.queueFaults('reset');
    const error = await caught(() => createJwtIssuer({ baseUrl: server.url })({ ...JOHN, signal: signal() }));
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', retryable: true, status: undefined });
    const cause = (error as Error).cause as Error;
    expect(cause).toBeInstanceOf(Error);
    expect(Object.keys(cause)).toEqual([]);
    expect(cause.message).toMatch(/fetch failed|terminated|socket|ECONNRESET/i);
    expect(cause).not.toHaveProperty('request');
    expectNoSecrets(error, [JOHN.password]);
  });

  it('a hang past timeoutMs: TIMEOUT, retryable', async () => {
    const server = await startTestServer();
    server.control.queueFaults('hang');
    const issuer = createJwtIssuer({ baseUrl: server.url, timeoutMs: 200 });
    const error = await caught(() => issuer({ ...JOHN, signal: signal() }));
    expect(error).toMatchObject({ code: 'TIMEOUT', retryable: true });
    expect(server.control.stats().jwtAttempts.total).toBe(1);
  });

  it("the caller's signal: ABORTED, during the request and before it", async () => {
    const server = await startTestServer();
    server.control.queueFaults('hang');
    const issuer = createJwtIssuer({ baseUrl: server.url });
    const controller = new AbortController();
    const pending = caught(() => issuer({ ...JOHN, signal: controller.signal }));
    await server.control.waitFor({ jwtAttempts: 1 });
    controller.abort();
    expect(await pending).toMatchObject({ code: 'ABORTED' });

    const error = await caught(() => issuer({ ...JOHN, signal: AbortSignal.abort() }));
    expect(error).toMatchObject({ code: 'ABORTED' });
    expect(server.control.stats().jwtAttempts.total).toBe(1);
  });

  it('sends one attempt even through a ky instance that retries POST, has a prefix and carries authHooks', async () => {
    const server = await startTestServer();
    server.control.queueFaults('503');
    const provider = {
      getAuthorization: () => Promise.reject(new Error('the issuer request must not be signed')),
      handleUnauthorized: () => Promise.reject(new Error('the issuer request must not be retried')),
    };
    const instance = ky
      .create({
        prefix: 'http://127.0.0.1:1/elsewhere',
        retry: { limit: 5, methods: ['post'], statusCodes: [503] },
      })
      .extend({ hooks: authHooks(provider) });
    const issuer = createJwtIssuer({ baseUrl: server.url, ky: instance });
    expect(await caught(() => issuer({ ...JOHN, signal: signal() }))).toMatchObject({
      code: 'TOKEN_ENDPOINT_UNAVAILABLE',
      status: 503,
    });
    expect((await issuer({ ...JOHN, signal: signal() })).token).toMatch(/^eyJ/);
    expect(server.control.stats().jwtAttempts.total).toBe(2);
  });

  it('rejects a bad baseUrl or timeoutMs with CONFIG_INVALID', () => {
    expect(() => createJwtIssuer({ baseUrl: 'ftp://example.com' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => createJwtIssuer({ baseUrl: 'https://user:secret@example.com' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.not.stringContaining('secret') }),
    );
    expect(() => createJwtIssuer({ baseUrl: 'https://example.com', timeoutMs: 0 })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('timeoutMs') }),
    );
  });
});

describe('createJwtIssuer request shape', () => {
  it('POSTs JSON {username, password} with Accept: application/json to <baseUrl path>/jwt/', async () => {
    const seen: { method?: string; url?: string; headers?: IncomingHttpHeaders; body?: string }[] = [];
    const url = await startHttpServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        seen.push({ method: request.method, url: request.url, headers: request.headers, body });
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ token: 'a.b.c' }));
      });
    });
    const issuer = createJwtIssuer({ baseUrl: `${url}/v1` });
    expect((await issuer({ ...JOHN, signal: signal() })).token).toBe('a.b.c');
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/v1/jwt/' });
    expect(seen[0]?.headers?.accept).toBe('application/json');
    expect(seen[0]?.headers?.['content-type']).toBe('application/json');
    expect(seen[0]?.headers?.authorization).toBeUndefined();
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ username: JOHN.username, password: JOHN.password });
  });
});
