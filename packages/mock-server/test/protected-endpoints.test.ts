import { describe, expect, it } from 'vitest';
import { callApi, issueToken, JOHN, startTestServer, virtualClock } from './helpers.ts';

const ACCESS_TOKEN = 'cxat_live_0123456789abcdef';

async function reasonOf(
  response: Response,
): Promise<{ status: number; reason: string | null; body: unknown }> {
  return {
    status: response.status,
    reason: response.headers.get('x-mock-reason'),
    body: await response.json(),
  };
}

describe('protected endpoints: accepted credentials', () => {
  it('accept a valid JWT with the JWT scheme and echo the request', async () => {
    const server = await startTestServer();
    const token = await issueToken(server);
    const response = await callApi(server, '/some/endpoint/?page=2', `JWT ${token}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      ok: true,
      method: 'GET',
      path: '/some/endpoint/',
      scheme: 'JWT',
      username: 'john.doe',
      query: { page: '2' },
    });
  });

  it('accept a configured access token with the Bearer scheme, on any method and path', async () => {
    const server = await startTestServer({ accessTokens: [ACCESS_TOKEN] });
    for (const method of ['GET', 'POST', 'PUT', 'DELETE', 'PATCH']) {
      const response = await callApi(server, '/api/v1/conversations/', `Bearer ${ACCESS_TOKEN}`, { method });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        ok: true,
        method,
        path: '/api/v1/conversations/',
        scheme: 'Bearer',
      });
    }
  });

  it('treat the scheme name case-insensitively', async () => {
    const server = await startTestServer({ accessTokens: [ACCESS_TOKEN] });
    const token = await issueToken(server);
    expect((await callApi(server, '/x/', `jwt ${token}`)).status).toBe(200);
    expect((await callApi(server, '/x/', `bearer ${ACCESS_TOKEN}`)).status).toBe(200);
  });

  it('echo a JSON body intact, and a non-JSON body as text', async () => {
    const server = await startTestServer({ accessTokens: [ACCESS_TOKEN] });
    const payload = { message: 'héllo', items: [1, 2, { nested: true }] };
    const json = await callApi(server, '/messages/', `Bearer ${ACCESS_TOKEN}`, {
      method: 'POST',
      body: JSON.stringify(payload),
      headers: { 'Content-Type': 'application/json' },
    });
    expect(((await json.json()) as { body: unknown }).body).toEqual(payload);
    const text = await callApi(server, '/messages/', `Bearer ${ACCESS_TOKEN}`, {
      method: 'POST',
      body: 'a=1',
    });
    expect(((await text.json()) as { text: unknown }).text).toBe('a=1');
  });

  it('accept tokens of a banned user (the ban stops issuing, not existing tokens)', async () => {
    const server = await startTestServer();
    const token = await issueToken(server);
    server.control.setStatus('john.doe', 'banned');
    expect((await callApi(server, '/x/', `JWT ${token}`)).status).toBe(200);
  });

  it('accept access tokens added at runtime', async () => {
    const server = await startTestServer();
    expect((await callApi(server, '/x/', `Bearer ${ACCESS_TOKEN}`)).status).toBe(401);
    server.control.addAccessToken(ACCESS_TOKEN);
    expect((await callApi(server, '/x/', `Bearer ${ACCESS_TOKEN}`)).status).toBe(200);
  });
});

describe('protected endpoints: 401s', () => {
  it('without credentials, with WWW-Authenticate', async () => {
    const server = await startTestServer();
    const response = await callApi(server, '/some/endpoint/');
    expect(response.headers.get('www-authenticate')).toBe('JWT realm="api"');
    expect(await reasonOf(response)).toEqual({
      status: 401,
      reason: 'missing',
      body: { detail: 'Authentication credentials were not provided.' },
    });
  });

  it('for a JWT sent with the Bearer scheme and an access token sent with the JWT scheme', async () => {
    const server = await startTestServer({ accessTokens: [ACCESS_TOKEN] });
    const token = await issueToken(server);
    expect(await reasonOf(await callApi(server, '/x/', `Bearer ${token}`))).toEqual({
      status: 401,
      reason: 'wrong_scheme',
      body: { detail: 'Invalid token.' },
    });
    expect(await reasonOf(await callApi(server, '/x/', `JWT ${ACCESS_TOKEN}`))).toEqual({
      status: 401,
      reason: 'wrong_scheme',
      body: { detail: 'Given token not valid for any token type', code: 'token_not_valid' },
    });
  });

  it('for unknown access tokens, unsupported schemes and malformed headers', async () => {
    const server = await startTestServer();
    const token = await issueToken(server);
    const cases: [string, string][] = [
      ['Bearer nope', 'unknown_access_token'],
      [`Token ${token}`, 'unsupported_scheme'],
      [token, 'unsupported_scheme'],
      ['JWT', 'malformed_header'],
      [`JWT ${token} extra`, 'malformed_header'],
      ['JWT not.a.jwt', 'malformed'],
      ['JWT garbage', 'malformed'],
    ];
    for (const [authorization, reason] of cases) {
      const response = await callApi(server, '/x/', authorization);
      expect(response.status).toBe(401);
      expect(response.headers.get('x-mock-reason')).toBe(reason);
      expect(await response.json()).toHaveProperty('detail');
    }
  });

  it('for a JWT signed with another key', async () => {
    const server = await startTestServer({ secret: 'one' });
    const other = await startTestServer({ secret: 'two' });
    const foreign = await issueToken(other);
    expect((await reasonOf(await callApi(server, '/x/', `JWT ${foreign}`))).reason).toBe('bad_signature');
  });

  it('for an expired JWT, through the injectable clock', async () => {
    const clock = virtualClock();
    const server = await startTestServer({ clock: clock.now, tokenLifetimeSeconds: 1 });
    const token = await issueToken(server);
    expect((await callApi(server, '/x/', `JWT ${token}`)).status).toBe(200);
    clock.advance(1_000);
    const expired = await callApi(server, '/x/', `JWT ${token}`);
    expect(await reasonOf(expired)).toEqual({
      status: 401,
      reason: 'expired',
      body: { detail: 'Given token not valid for any token type', code: 'token_not_valid' },
    });
  });

  it('for an expired JWT, through advanceTime', async () => {
    const server = await startTestServer();
    const token = await issueToken(server);
    server.control.advanceTime(86_400_000);
    expect((await reasonOf(await callApi(server, '/x/', `JWT ${token}`))).reason).toBe('expired');
  });

  it('for a revoked JWT, and only that one', async () => {
    const server = await startTestServer();
    const revoked = await issueToken(server);
    const kept = await issueToken(server);
    expect(server.control.revoke({ token: revoked })).toBe(1);
    expect(server.control.revoke({ token: revoked })).toBe(0);
    expect(await reasonOf(await callApi(server, '/x/', `JWT ${revoked}`))).toEqual({
      status: 401,
      reason: 'revoked',
      body: { detail: 'Token is blacklisted', code: 'token_not_valid' },
    });
    expect((await callApi(server, '/x/', `JWT ${kept}`)).status).toBe(200);
  });

  it('for every token of a revoked user, but not for tokens issued after', async () => {
    const jane = { username: 'jane', password: 'janepw' };
    const server = await startTestServer({ users: [JOHN, jane] });
    const johns = [await issueToken(server), await issueToken(server)];
    const janes = await issueToken(server, jane);
    expect(server.control.revoke({ username: 'john.doe' })).toBe(2);
    for (const token of johns) expect((await callApi(server, '/x/', `JWT ${token}`)).status).toBe(401);
    expect((await callApi(server, '/x/', `JWT ${janes}`)).status).toBe(200);
    const fresh = await issueToken(server);
    expect((await callApi(server, '/x/', `JWT ${fresh}`)).status).toBe(200);
  });

  it('for every token after revoke all, and for a revoked access token', async () => {
    const server = await startTestServer({ accessTokens: [ACCESS_TOKEN] });
    const tokens = [await issueToken(server), await issueToken(server)];
    expect(server.control.revoke({ all: true })).toBe(2);
    for (const token of tokens) expect((await callApi(server, '/x/', `JWT ${token}`)).status).toBe(401);
    expect(server.control.revoke({ token: ACCESS_TOKEN })).toBe(1);
    expect((await callApi(server, '/x/', `Bearer ${ACCESS_TOKEN}`)).status).toBe(401);
  });

  it('for a JWT of a user who became inactive', async () => {
    const server = await startTestServer();
    const token = await issueToken(server);
    server.control.setStatus('john.doe', 'inactive');
    expect(await reasonOf(await callApi(server, '/x/', `JWT ${token}`))).toEqual({
      status: 401,
      reason: 'user_inactive',
      body: { detail: 'User is inactive', code: 'user_inactive' },
    });
  });
});

describe('canned responses', () => {
  it('serve 503 once, then the normal answer', async () => {
    const server = await startTestServer({ accessTokens: [ACCESS_TOKEN] });
    server.control.respond('/some/endpoint/', { status: 503, body: { detail: 'Service unavailable' } });
    const first = await callApi(server, '/some/endpoint/', `Bearer ${ACCESS_TOKEN}`);
    expect(first.status).toBe(503);
    expect(await first.json()).toEqual({ detail: 'Service unavailable' });
    expect((await callApi(server, '/some/endpoint/', `Bearer ${ACCESS_TOKEN}`)).status).toBe(200);
  });

  it('queue per path, honour times, method, headers and string bodies', async () => {
    const server = await startTestServer({ accessTokens: [ACCESS_TOKEN] });
    const auth = `Bearer ${ACCESS_TOKEN}`;
    server.control.respond('things/', { status: 500, times: 2 });
    server.control.respond('/things/', {
      status: 429,
      body: 'slow down',
      headers: { 'Retry-After': '1', 'Content-Type': 'text/plain' },
    });
    server.control.respond('/other/', { status: 404, method: 'delete' });
    expect((await callApi(server, '/other/', auth)).status).toBe(200);
    expect((await callApi(server, '/other/', auth, { method: 'DELETE' })).status).toBe(404);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await callApi(server, '/things/', auth)).status);
    expect(statuses).toEqual([500, 500, 429]);
    server.control.respond('/things/', { status: 429, body: 'slow down', headers: { 'Retry-After': '1' } });
    const limited = await callApi(server, '/things/', auth);
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await limited.text()).toBe('slow down');
    expect((await callApi(server, '/things/', auth)).status).toBe(200);
  });

  it('are served without credentials by default, and only to authorized calls with whenAuthorized', async () => {
    const server = await startTestServer({ accessTokens: [ACCESS_TOKEN] });
    server.control.respond('/a/', { status: 502 });
    expect((await callApi(server, '/a/')).status).toBe(502);
    server.control.respond('/b/', { status: 409, whenAuthorized: true });
    expect((await callApi(server, '/b/')).status).toBe(401);
    expect((await callApi(server, '/b/', `Bearer ${ACCESS_TOKEN}`)).status).toBe(409);
  });

  it('with username, refuse one API user (a missing permission) and serve every other caller normally', async () => {
    const jane = { username: 'jane', password: 'janepw' };
    const server = await startTestServer({ users: [JOHN, jane] });
    const [johns, janes] = [await issueToken(server), await issueToken(server, jane)];
    server.control.respond('/reports/', {
      status: 401,
      body: { detail: 'You do not have permission to perform this action.' },
      username: JOHN.username,
      times: Number.POSITIVE_INFINITY,
    });
    for (let i = 0; i < 2; i++) expect((await callApi(server, '/reports/', `JWT ${johns}`)).status).toBe(401);
    expect((await callApi(server, '/other/', `JWT ${johns}`)).status).toBe(200);
    expect((await callApi(server, '/reports/', `JWT ${janes}`)).status).toBe(200);
    // An invalid token gets the normal 401, not the canned one (which stays queued).
    const normal = await callApi(server, '/reports/', 'JWT not-a-token');
    expect(normal.headers.get('x-mock-reason')).toBe('malformed');
    expect(() => server.control.respond('/x/', { status: 401, username: '' })).toThrow(TypeError);
  });

  it('stay until cleared with times: Infinity', async () => {
    const server = await startTestServer();
    server.control.respond('/down/', { status: 503, times: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 3; i++) expect((await callApi(server, '/down/')).status).toBe(503);
    server.control.clearResponses('/down/');
    expect((await callApi(server, '/down/')).status).toBe(401);
  });

  it('reject bad specs with a TypeError', async () => {
    const server = await startTestServer();
    expect(() => server.control.respond('/x/', { status: 99 })).toThrow(TypeError);
    expect(() => server.control.respond('/x/', { status: 500, times: 0 })).toThrow(TypeError);
    expect(() => server.control.respond('/x/?a=1', { status: 500 })).toThrow(TypeError);
    expect(() => server.control.respond('/__mock__/stats', { status: 500 })).toThrow(TypeError);
  });

  it('can replace a /jwt/ answer too', async () => {
    const server = await startTestServer();
    server.control.respond('/jwt/', { status: 429, body: { detail: 'Request was throttled.' } });
    const response = await fetch(`${server.url}/jwt/`, { method: 'POST', body: JSON.stringify(JOHN) });
    expect(response.status).toBe(429);
    expect(server.control.stats().jwtAttempts.byStatus).toEqual({ '429': 1 });
  });
});
