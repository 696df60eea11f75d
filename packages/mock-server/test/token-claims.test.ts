import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueToken, START_MS, startTestServer, virtualClock } from './helpers.ts';

describe('issued JWTs', () => {
  it('have header {typ: JWT, alg: HS256} in that order', async () => {
    const server = await startTestServer();
    const token = await issueToken(server);
    expect(decodeProtectedHeader(token)).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(token.split('.')[0]).toBe('eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9');
  });

  it('carry exp = iat + 86400 by default, iat from the server clock, and the user claims', async () => {
    const clock = virtualClock();
    const server = await startTestServer({ clock: clock.now });
    const claims = decodeJwt(await issueToken(server));
    expect(claims.iat).toBe(START_MS / 1000);
    expect(claims.exp).toBe(START_MS / 1000 + 86_400);
    expect(claims).toMatchObject({ user_id: 1, username: 'john.doe', email: 'john.doe@example.com' });
    expect(claims.jti).toMatch(/^[0-9a-f]{32}$/);
  });

  it('follow tokenLifetimeSeconds, from the option and changed at runtime', async () => {
    const server = await startTestServer({ tokenLifetimeSeconds: 120 });
    const first = decodeJwt(await issueToken(server));
    expect(first.exp! - first.iat!).toBe(120);
    server.control.configure({ tokenLifetimeSeconds: 7 });
    const second = decodeJwt(await issueToken(server));
    expect(second.exp! - second.iat!).toBe(7);
  });

  it('floor iat to whole seconds of a clock that is not on a second boundary', async () => {
    const server = await startTestServer({ clock: () => START_MS + 999 });
    const claims = decodeJwt(await issueToken(server));
    expect(claims.iat).toBe(START_MS / 1000);
  });

  it('are signed with the configured secret and have a unique jti each', async () => {
    const secret = 'test-secret-that-is-long-enough-for-hs256';
    const clock = virtualClock(Date.now());
    const server = await startTestServer({ secret, clock: clock.now });
    const first = await issueToken(server);
    const second = await issueToken(server);
    const { payload } = await jwtVerify(first, new TextEncoder().encode(secret), { algorithms: ['HS256'] });
    expect(payload.username).toBe('john.doe');
    expect(decodeJwt(second).jti).not.toBe(payload.jti);
  });

  it('use configured user ids and emails, and number other users in order', async () => {
    const server = await startTestServer({
      users: [
        { username: 'a', password: 'pa', userId: 40, email: 'ops@corp.test' },
        { username: 'b@corp.test', password: 'pb' },
      ],
    });
    const a = decodeJwt(await issueToken(server, { username: 'a', password: 'pa' }));
    const b = decodeJwt(await issueToken(server, { username: 'b@corp.test', password: 'pb' }));
    expect(a).toMatchObject({ user_id: 40, email: 'ops@corp.test' });
    expect(b).toMatchObject({ user_id: 41, email: 'b@corp.test' });
  });

  it('can be minted without POST /jwt/, with a chosen iat and lifetime, outside quota and stats', async () => {
    const clock = virtualClock();
    const server = await startTestServer({ clock: clock.now });
    const token = await server.control.mintToken('john.doe', { issuedAt: 1_000, lifetimeSeconds: 60 });
    expect(decodeJwt(token)).toMatchObject({ iat: 1_000, exp: 1_060, username: 'john.doe' });
    expect(server.control.stats().issues.total).toBe(0);
    expect(server.control.getUser('john.doe')?.quotaUsed).toBe(0);
    await expect(server.control.mintToken('nobody')).rejects.toThrow(/Unknown mock user/);
  });
});
