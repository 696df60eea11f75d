import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  checkTimeoutMs,
  createHttpJwtIssuer,
  type JwtHttpRequest,
  redactAuthorizationHeader,
  sanitizeTransportError,
} from '../src/transport/index.ts';

const CREDENTIALS = { username: 'john.doe', password: 'transport-SECRET-password' };
const signal = (): AbortSignal => new AbortController().signal;

function answer(status: number, body: string, headers: Record<string, string> = {}) {
  return async () => ({ status, headers: new Headers(headers), text: async () => body });
}

describe('createHttpJwtIssuer (any transport)', () => {
  it('sends one POST to <baseUrl>/jwt/ with a JSON body and Accept, and classifies a token', async () => {
    const sent: JwtHttpRequest[] = [];
    const issuer = createHttpJwtIssuer({
      baseUrl: 'https://api.example.com/v1/',
      now: () => 42,
      send: async (request) => {
        sent.push(request);
        return answer(200, '{"token":"a.b.c","account":{"uuid":"u-1"}}')();
      },
    });
    expect(await issuer({ ...CREDENTIALS, signal: signal() })).toEqual({
      token: 'a.b.c',
      receivedAt: 42,
      accountId: 'u-1',
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url.href).toBe('https://api.example.com/v1/jwt/');
    expect(sent[0]?.headers).toEqual({ accept: 'application/json', 'content-type': 'application/json' });
    expect(JSON.parse(sent[0]?.body ?? '')).toEqual(CREDENTIALS);
  });

  it('a send that rejects is TOKEN_ENDPOINT_UNAVAILABLE, retryable, with a cause that holds no request', async () => {
    const leaky = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      options: { body: JSON.stringify(CREDENTIALS) },
    });
    const issuer = createHttpJwtIssuer({
      baseUrl: 'https://api.example.com',
      send: () => Promise.reject(leaky),
    });
    const error = await issuer({ ...CREDENTIALS, signal: signal() }).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', retryable: true });
    expect(((error as Error).cause as Error).message).toBe('fetch failed <- ECONNRESET: socket hang up');
    expect(inspect(error, { depth: 8 })).not.toContain(CREDENTIALS.password);
  });

  it('one deadline for the whole attempt: a body that never ends is TIMEOUT; the caller signal is ABORTED', async () => {
    const never = (request: JwtHttpRequest) =>
      new Promise<never>((_, reject) =>
        request.signal.addEventListener('abort', () => reject(request.signal.reason)),
      );
    const slowBody = createHttpJwtIssuer({
      baseUrl: 'https://api.example.com',
      timeoutMs: 50,
      send: async (request) => ({ status: 200, headers: {}, text: () => never(request) }),
    });
    expect(await slowBody({ ...CREDENTIALS, signal: signal() }).catch((e: unknown) => e)).toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
    });
    const controller = new AbortController();
    const pending = createHttpJwtIssuer({ baseUrl: 'https://api.example.com', send: never })({
      ...CREDENTIALS,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    controller.abort();
    expect(await pending).toMatchObject({ code: 'ABORTED' });
  });

  it('a 4XX is the classified error, never retryable, the password redacted from an echo', async () => {
    const issuer = createHttpJwtIssuer({
      baseUrl: 'https://api.example.com',
      send: answer(401, `{"detail":"bad password ${CREDENTIALS.password}"}`),
    });
    const error = await issuer({ ...CREDENTIALS, signal: signal() }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401, retryable: false });
    expect((error as Error).message).not.toContain(CREDENTIALS.password);
  });
});

describe('transport helpers', () => {
  it('redactAuthorizationHeader keeps the scheme only', () => {
    const headers = new Headers({ authorization: 'JWT eyJ.secret.sig' });
    redactAuthorizationHeader(headers);
    expect(headers.get('authorization')).toBe('JWT [REDACTED]');
  });

  it('sanitizeTransportError keeps name, message and codes only', () => {
    const sanitized = sanitizeTransportError(
      Object.assign(new TypeError('boom'), { request: { secret: 1 } }),
    );
    expect(sanitized.name).toBe('TypeError');
    expect(Object.keys(sanitized)).toEqual([]);
  });

  it.each([0, -1, 1.5, 2 ** 31, '10'])('checkTimeoutMs(%o) is CONFIG_INVALID', (value) => {
    expect(() => checkTimeoutMs(value, 'timeoutMs')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});
