import { describe, expect, it } from 'vitest';
import { JWT_RESPONSE_BODIES } from '../src/index.ts';
import { JOHN, postJwt, START_MS, startTestServer, virtualClock } from './helpers.ts';

describe('POST /jwt/ success', () => {
  it('answers 200 application/json with the documented shape and a Date header from the server clock', async () => {
    const clock = virtualClock();
    const server = await startTestServer({ clock: clock.now });
    const response = await postJwt(server, JOHN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('date')).toBe(new Date(START_MS).toUTCString());
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['token', 'account', 'otp', 'client']);
    expect(body.token).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(body.account).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
    });
    expect(body.otp).toBe(false);
    expect(body.client).toEqual({ device_id: 'deviceId' });
  });

  it('gives each user a uuid that is stable across servers and differs between users', async () => {
    const users = [JOHN, { username: 'jane', password: 'pw' }];
    const first = await startTestServer({ users });
    const second = await startTestServer({ users });
    const uuidOf = async (server: typeof first, credentials: (typeof users)[number]) =>
      ((await (await postJwt(server, credentials)).json()) as { account: { uuid: string } }).account.uuid;
    const johnFirst = await uuidOf(first, JOHN);
    expect(await uuidOf(second, JOHN)).toBe(johnFirst);
    expect(await uuidOf(first, users[1]!)).not.toBe(johnFirst);
  });

  it('uses a configured accountUuid', async () => {
    const accountUuid = 'c7617c90-0eef-4c75-b604-bdfbc152437c';
    const server = await startTestServer({ users: [{ ...JOHN, accountUuid }] });
    const body = (await (await postJwt(server, JOHN)).json()) as { account: { uuid: string } };
    expect(body.account.uuid).toBe(accountUuid);
  });
});

describe('POST /jwt/ failures', () => {
  it.each([
    ['missing', { password: 'x' }],
    ['empty', { username: '', password: 'x' }],
    ['blank', { username: '   ', password: 'x' }],
    ['a number', { username: 42, password: 'x' }],
    ['null', { username: null, password: 'x' }],
    ['an object', { username: { name: 'john.doe' }, password: 'x' }],
  ])('400 "Username is required." when the username is %s', async (_case, body) => {
    const server = await startTestServer();
    const response = await postJwt(server, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ message: 'Username is required.' });
  });

  it('treats an empty body and a JSON array as having no username', async () => {
    const server = await startTestServer();
    for (const body of ['', '[]', '"john.doe"']) {
      const response = await postJwt(server, body);
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual(JWT_RESPONSE_BODIES.usernameRequired);
    }
  });

  it('400 with a JSON parse error for a body that is not JSON', async () => {
    const server = await startTestServer();
    const response = await postJwt(server, 'username=john.doe&password=awesomepassword');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { detail: string };
    expect(body.detail).toMatch(/^JSON parse error - /);
  });

  it('401 for a wrong password, an unknown user and a missing password, with the documented body', async () => {
    const server = await startTestServer();
    for (const body of [
      { username: 'john.doe', password: 'wrong' },
      { username: 'nobody', password: 'awesomepassword' },
      { username: 'john.doe' },
      { username: 'john.doe', password: 12 },
    ]) {
      const response = await postJwt(server, body);
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ detail: 'No active account found with the given credentials' });
    }
  });

  it('403 "This agent has been banned!" for a banned user, whatever the password', async () => {
    const server = await startTestServer({ users: [{ ...JOHN, status: 'banned' }] });
    for (const password of [JOHN.password, 'wrong']) {
      const response = await postJwt(server, { username: JOHN.username, password });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'This agent has been banned!' });
    }
  });

  it('403 with an empty body for an inactive user by default, whatever the password', async () => {
    const server = await startTestServer({ users: [{ ...JOHN, status: 'inactive' }] });
    for (const password of [JOHN.password, 'wrong']) {
      const response = await postJwt(server, { username: JOHN.username, password });
      expect(response.status).toBe(403);
      expect(response.headers.get('content-length')).toBe('0');
      expect(response.headers.get('content-type')).toBeNull();
      expect(await response.text()).toBe('');
    }
  });

  it('403 with a JSON detail for an inactive user when inactiveBody is json', async () => {
    const server = await startTestServer({ users: [{ ...JOHN, status: 'inactive' }], inactiveBody: 'json' });
    const response = await postJwt(server, JOHN);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ detail: 'User account is disabled.' });
  });

  it('405 with Allow: POST for other methods, and never issues', async () => {
    const server = await startTestServer();
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH']) {
      const response = await fetch(`${server.url}/jwt/`, { method });
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
      expect(await response.json()).toEqual({ detail: `Method "${method}" not allowed.` });
    }
    expect(server.control.stats().issues.total).toBe(0);
  });

  it('answers 404 for /jwt without the trailing slash instead of pretending it is a protected endpoint', async () => {
    const server = await startTestServer();
    const response = await fetch(`${server.url}/jwt`, { method: 'POST', body: JSON.stringify(JOHN) });
    expect(response.status).toBe(404);
    expect(server.control.stats().jwtAttempts.total).toBe(0);
  });

  it('sends a Date header on every answer', async () => {
    const server = await startTestServer();
    const responses = [
      await postJwt(server, { username: '' }),
      await postJwt(server, { username: 'john.doe', password: 'wrong' }),
      await fetch(`${server.url}/jwt/`),
      await fetch(`${server.url}/anything/`),
      await fetch(`${server.url}/__mock__/stats`),
    ];
    for (const response of responses) expect(Date.parse(response.headers.get('date') ?? '')).not.toBeNaN();
  });
});
