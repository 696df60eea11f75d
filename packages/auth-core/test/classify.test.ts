import { classifyJwtResponse, type JwtResponseClassification } from '@connexease-kit/auth-core/transport';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { connexeaseJwt } from './support/jwt.ts';

const receivedAt = 1_767_225_600_250;
const dateHeader = 'Thu, 01 Jan 2026 00:00:00 GMT';
const token = connexeaseJwt(1_767_225_600);
const okBody = JSON.stringify({
  token,
  account: { uuid: 'c7617c90-0eef-4c75-b604-bdfbc152437c' },
  otp: false,
  client: { device_id: 'deviceId' },
});

function failure(result: JwtResponseClassification) {
  if (result.ok) throw new Error('expected a failed classification');
  return result.error;
}

describe('classifyJwtResponse: documented responses', () => {
  test('200 with the documented body yields the token, the server date and the account id', () => {
    const result = classifyJwtResponse(200, new Headers({ Date: dateHeader }), okBody, { receivedAt });
    expect(result).toEqual({
      ok: true,
      issued: {
        token,
        receivedAt,
        serverDate: Date.UTC(2026, 0, 1),
        accountId: 'c7617c90-0eef-4c75-b604-bdfbc152437c',
      },
    });
  });

  test('reads headers from a Node-style record, case-insensitively, and arrays', () => {
    const fromRecord = classifyJwtResponse(200, { date: dateHeader }, okBody, { receivedAt });
    const fromArray = classifyJwtResponse(200, { DATE: [dateHeader] }, okBody, { receivedAt });
    for (const result of [fromRecord, fromArray]) {
      expect(result.ok && result.issued.serverDate).toBe(Date.UTC(2026, 0, 1));
    }
  });

  test('accepts the documented opaque example token and defaults receivedAt to now', () => {
    const before = Date.now();
    const result = classifyJwtResponse(200, {}, '{"token": "awesomejwttoken"}');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.issued.token).toBe('awesomejwttoken');
    expect(result.issued.receivedAt).toBeGreaterThanOrEqual(before);
    expect(result.issued).not.toHaveProperty('serverDate');
    expect(result.issued).not.toHaveProperty('accountId');
  });

  test('ignores an invalid Date header and an unusable account uuid', () => {
    const body = JSON.stringify({ token, account: { uuid: 'has space\r\n' } });
    const result = classifyJwtResponse(200, { date: 'yesterday-ish' }, body, { receivedAt });
    expect(result).toEqual({ ok: true, issued: { token, receivedAt } });
  });

  test('400 "Username is required." is INVALID_REQUEST with the server message', () => {
    const error = failure(classifyJwtResponse(400, {}, '{"message": "Username is required."}'));
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', status: 400, retryable: false });
    expect(error.message).toContain('Username is required.');
  });

  test('401 is INVALID_CREDENTIALS with the detail', () => {
    const body = '{"detail": "No active account found with the given credentials"}';
    const error = failure(classifyJwtResponse(401, {}, body));
    expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401, retryable: false });
    expect(error.message).toContain('No active account found with the given credentials');
  });

  test('403 "This agent has been banned!" is AGENT_BANNED', () => {
    const error = failure(classifyJwtResponse(403, {}, '{"message": "This agent has been banned!"}'));
    expect(error).toMatchObject({ code: 'AGENT_BANNED', status: 403, retryable: false });
    expect(error.message).toContain('This agent has been banned!');
    expect(error.message).toContain('unblock()');
  });

  test.each([
    ['without a body', ''],
    ['with a JSON message', '{"message": "Account is inactive."}'],
    ['with a detail', '{"detail": "User account is disabled."}'],
    ['with an HTML page', '<html><body><h1>403 Forbidden</h1></body></html>'],
    ['with an empty JSON object', '{}'],
  ])('403 %s is ACCOUNT_INACTIVE', (_, body) => {
    const error = failure(classifyJwtResponse(403, {}, body));
    expect(error).toMatchObject({ code: 'ACCOUNT_INACTIVE', status: 403, retryable: false });
  });

  test('403 detects "banned" case-insensitively, in detail or plain text too', () => {
    expect(failure(classifyJwtResponse(403, {}, '{"detail": "User BANNED"}')).code).toBe('AGENT_BANNED');
    expect(failure(classifyJwtResponse(403, {}, 'You have been banned')).code).toBe('AGENT_BANNED');
  });
});

describe('classifyJwtResponse: undocumented responses', () => {
  test.each([
    [500, '{"detail": "Internal server error"}'],
    [502, '<html><head><title>502 Bad Gateway</title></head><body><center>nginx</center></body></html>'],
    [503, ''],
    [504, 'upstream timed out'],
  ])('%s is TOKEN_ENDPOINT_UNAVAILABLE and retryable', (status, body) => {
    const error = failure(classifyJwtResponse(status, {}, body));
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status, retryable: true });
  });

  test('a 502 HTML page is reduced to a short single line of text', () => {
    const page = `<html><head><title>502 Bad Gateway</title><style>body{color:red}</style></head>
      <body>\r\n<h1>Bad &amp; Gateway</h1>${'<p>filler</p>'.repeat(200)}<script>alert(1)</script></body></html>`;
    const error = failure(classifyJwtResponse(502, {}, page));
    expect(error.message).toContain('502 Bad Gateway');
    expect(error.message).toContain('Bad & Gateway');
    expect(error.message).not.toMatch(/[<>\r\n]/);
    expect(error.message).not.toContain('alert');
    expect(error.message).not.toContain('color:red');
    expect(error.message.length).toBeLessThan(300);
  });

  test('5XX and 429 carry retryAt from Retry-After', () => {
    expect(failure(classifyJwtResponse(503, { 'Retry-After': '120' }, '', { receivedAt })).retryAt).toBe(
      receivedAt + 120_000,
    );
    const date = 'Thu, 01 Jan 2026 01:00:00 GMT';
    expect(failure(classifyJwtResponse(429, new Headers({ 'Retry-After': date }), '')).retryAt).toBe(
      Date.UTC(2026, 0, 1, 1),
    );
  });

  test.each([
    [429, 'TOKEN_ENDPOINT_UNAVAILABLE'],
    [408, 'TOKEN_ENDPOINT_UNAVAILABLE'],
    [404, 'INVALID_REQUEST'],
    [405, 'INVALID_REQUEST'],
    [409, 'INVALID_REQUEST'],
    [422, 'INVALID_REQUEST'],
    [451, 'INVALID_REQUEST'],
  ])('%s is %s and not retryable (4XX is never retried)', (status, code) => {
    const error = failure(classifyJwtResponse(status, {}, '{"detail": "nope"}'));
    expect(error).toMatchObject({ code, status, retryable: false });
    expect(error.message).toContain('never retried');
  });

  test('404 and 405 hint at a wrong baseUrl', () => {
    expect(failure(classifyJwtResponse(404, {}, '<h1>Not Found</h1>')).message).toContain('baseUrl');
  });

  test.each([
    ['an empty body', '', true],
    ['whitespace only', ' \n', true],
    ['truncated JSON', '{"token": "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9', true],
    ['an HTML page', '<!doctype html><html><body>Welcome to our portal</body></html>', false],
    ['plain text', 'OK', false],
    ['JSON without a token', '{"account": {"uuid": "x"}}', false],
    ['a null token', '{"token": null}', false],
    ['a numeric token', '{"token": 12345}', false],
    ['an empty token', '{"token": ""}', false],
    ['a token with CR/LF', JSON.stringify({ token: `${token}\r\nX-Injected: 1` }), false],
    ['a token with a space', JSON.stringify({ token: 'abc def' }), false],
    ['a JSON array', '[{"token": "abc"}]', false],
    ['a JSON string', '"abc"', false],
    ['JSON null', 'null', false],
  ])('200 with %s is INVALID_RESPONSE (retryable: %s)', (_, body, retryable) => {
    const error = failure(classifyJwtResponse(200, {}, body));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', status: 200, retryable });
    expect(error.message).not.toContain('X-Injected');
    expect(error.message).not.toContain(token);
  });

  test('a redirect is INVALID_RESPONSE pointing at baseUrl, not retryable', () => {
    const error = failure(classifyJwtResponse(301, { location: 'https://api.connexease.com/jwt/' }, ''));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', status: 301, retryable: false });
    expect(error.message).toContain('baseUrl');
  });

  test.each([0, 101, 600, Number.NaN, 200.5])('status %s is INVALID_RESPONSE', (status) => {
    const error = failure(classifyJwtResponse(status, {}, okBody));
    expect(error).toMatchObject({ code: 'INVALID_RESPONSE', retryable: false });
  });
});

describe('classifyJwtResponse: secrets', () => {
  test('never repeats the password, a token or an Authorization value the server echoes', () => {
    const password = 'hunter2-SECRET';
    const body = JSON.stringify({
      detail: `bad password ${password} for token ${token} (Authorization: Bearer cxat_live_123)`,
    });
    const error = failure(classifyJwtResponse(401, {}, body, { redact: [password] }));
    expect(error.message).not.toContain(password);
    expect(error.message).not.toContain(token.split('.')[1]);
    expect(error.message).not.toContain('cxat_live_123');
    expect(error.message).toContain('[redacted]');
    expect(JSON.stringify(error)).not.toContain(password);
  });

  test('keeps prose that merely mentions a scheme readable', () => {
    const error = failure(
      classifyJwtResponse(400, {}, '{"message": "JWT authentication requires a username."}'),
    );
    expect(error.message).toContain('JWT authentication requires a username.');
  });

  test('redacts before truncating, so no part of a long secret survives the cut', () => {
    const secret = `S${'e'.repeat(300)}CRET`;
    const error = failure(
      classifyJwtResponse(400, {}, JSON.stringify({ message: `x ${secret}` }), { redact: [secret] }),
    );
    expect(error.message).not.toContain('eeeeeeeeee');
  });

  test('the snippet is short and single-line whatever the server sends (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(400, 401, 403, 404, 429, 500, 502, 503),
        fc.oneof(
          fc.string({ unit: 'binary', maxLength: 2000 }),
          fc.string({ unit: 'binary' }).map((message) => JSON.stringify({ message })),
          fc.string({ unit: 'binary' }).map((detail) => `<html><body><p>${detail}</p></body></html>`),
        ),
        (status, body) => {
          const error = failure(classifyJwtResponse(status, {}, body));
          expect(hasControlOrLineBreak(error.message)).toBe(false);
          expect(error.message.length).toBeLessThan(400);
          expect(error.status).toBe(status);
          expect(error.retryable).toBe(status >= 500);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('no 4XX status is ever retryable (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 400, max: 499 }), fc.string(), (status, body) => {
        expect(failure(classifyJwtResponse(status, {}, body)).retryable).toBe(false);
      }),
    );
  });
});

function hasControlOrLineBreak(text: string): boolean {
  return Array.from(text).some((char) => {
    const code = char.codePointAt(0) ?? 0;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) || code === 0x2028 || code === 0x2029;
  });
}
