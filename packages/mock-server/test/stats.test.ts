import { describe, expect, it } from 'vitest';
import { callApi, issueToken, JOHN, postJwt, startTestServer, virtualClock } from './helpers.ts';

describe('stats', () => {
  it('count issues, attempts by status and user, bans, and API calls by scheme and status', async () => {
    const clock = virtualClock();
    const server = await startTestServer({ clock: clock.now, quota: { limit: 2 }, accessTokens: ['cxat_1'] });
    const token = await issueToken(server);
    await postJwt(server, { username: 'john.doe', password: 'wrong' });
    await postJwt(server, { username: 'ghost', password: 'x' });
    await postJwt(server, {});
    await issueToken(server);
    await postJwt(server, JOHN); // bans
    await callApi(server, '/a/', `JWT ${token}`);
    await callApi(server, '/a/', 'Bearer cxat_1');
    await callApi(server, '/a/', 'Bearer nope');
    await callApi(server, '/a/');
    await callApi(server, '/a/', 'Basic abc');

    expect(server.control.stats()).toEqual({
      issues: { total: 2, byUser: { 'john.doe': 2 } },
      jwtAttempts: {
        total: 6,
        byStatus: { '200': 2, '401': 2, '400': 1, '403': 1 },
        byUser: { 'john.doe': 4, ghost: 1 },
      },
      bans: { total: 1, users: ['john.doe'] },
      apiCalls: { total: 5, byScheme: { JWT: 1, Bearer: 2, none: 2 }, byStatus: { '200': 2, '401': 3 } },
      issueTimes: { 'john.doe': [clock.now(), clock.now()] },
    });
  });

  it('returns a copy that later requests and callers cannot change', async () => {
    const server = await startTestServer();
    const before = server.control.stats();
    before.issues.total = 99;
    await issueToken(server);
    expect(before.issues.byUser).toEqual({});
    expect(server.control.stats().issues.total).toBe(1);
  });

  it('resetStats clears counters but keeps users, quota and tokens', async () => {
    const server = await startTestServer({ quota: { limit: 1 } });
    const token = await issueToken(server);
    server.control.resetStats();
    expect(server.control.stats().issues).toEqual({ total: 0, byUser: {} });
    expect((await postJwt(server, JOHN)).status).toBe(403);
    expect((await callApi(server, '/a/', `JWT ${token}`)).status).toBe(200);
  });

  it('reset restores the starting state: users, settings, faults, responses, clock offset, stats', async () => {
    const server = await startTestServer({ clock: () => 5_000_000 });
    await issueToken(server);
    server.control.setStatus('john.doe', 'banned');
    server.control.upsertUser({ username: 'extra', password: 'pw' });
    server.control.configure({ tokenLifetimeSeconds: 5 });
    server.control.queueFaults('503');
    server.control.respond('/x/', { status: 500 });
    server.control.advanceTime(1_000);
    server.control.reset();
    expect(server.control.listUsers().map((user) => [user.username, user.status, user.quotaUsed])).toEqual([
      ['john.doe', 'active', 0],
    ]);
    expect(server.control.config().tokenLifetimeSeconds).toBe(86_400);
    expect(server.control.pendingFaults()).toEqual([]);
    expect(server.control.now()).toBe(5_000_000);
    expect(server.control.stats().jwtAttempts.total).toBe(0);
    expect((await postJwt(server, JOHN)).status).toBe(200);
    expect((await callApi(server, '/x/')).status).toBe(401);
  });
});

describe('waitFor', () => {
  it('resolves at once when the target already holds', async () => {
    const server = await startTestServer();
    await issueToken(server);
    await expect(server.control.waitFor({ issues: 1, jwtAttempts: 1 })).resolves.toMatchObject({
      issues: { total: 1 },
    });
  });

  it('resolves when a predicate becomes true', async () => {
    const server = await startTestServer();
    const waiting = server.control.waitFor((stats) => stats.jwtAttempts.byStatus['401'] === 2);
    await postJwt(server, { username: 'john.doe', password: 'a' });
    await postJwt(server, { username: 'john.doe', password: 'b' });
    const stats = await waiting;
    expect(stats.jwtAttempts.byStatus['401']).toBe(2);
  });

  it('rejects after the timeout, and when the server closes', async () => {
    const server = await startTestServer();
    await expect(server.control.waitFor({ bans: 1 }, 20)).rejects.toThrow(/not met within 20 ms/);
    const pending = server.control.waitFor({ issues: 1 }, 60_000);
    await server.close();
    await expect(pending).rejects.toThrow(/closed/);
  });

  it('rejects unknown target fields', async () => {
    const server = await startTestServer();
    expect(() => server.control.waitFor({ issue: 1 } as never)).toThrow(TypeError);
  });
});
