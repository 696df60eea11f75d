import { describe, expect, it } from 'vitest';
import { JOHN, postJwt, startTestServer, virtualClock } from './helpers.ts';

const BANNED = { message: 'This agent has been banned!' };

async function statuses(responses: Promise<Response>[]): Promise<number[]> {
  return (await Promise.all(responses)).map((response) => response.status);
}

describe('the issue quota', () => {
  it('defaults to 30 per 24 h: the 31st valid request bans the user', async () => {
    const server = await startTestServer();
    for (let i = 0; i < 30; i++) expect((await postJwt(server, JOHN)).status).toBe(200);
    const banned = await postJwt(server, JOHN);
    expect(banned.status).toBe(403);
    expect(await banned.json()).toEqual(BANNED);
    expect(server.control.config().quota).toEqual({ limit: 30, windowMs: 86_400_000 });
  });

  it('with limit 3, the 4th valid request bans, and the user stays banned with the right password', async () => {
    const server = await startTestServer({ quota: { limit: 3 } });
    expect(await statuses([1, 2, 3].map(() => postJwt(server, JOHN)))).toEqual([200, 200, 200]);
    const fourth = await postJwt(server, JOHN);
    expect(fourth.status).toBe(403);
    expect(await fourth.json()).toEqual(BANNED);
    for (let i = 0; i < 3; i++) {
      const later = await postJwt(server, JOHN);
      expect(later.status).toBe(403);
      expect(await later.json()).toEqual(BANNED);
    }
    expect(server.control.getUser('john.doe')?.status).toBe('banned');
    const stats = server.control.stats();
    expect(stats.issues.total).toBe(3);
    expect(stats.bans).toEqual({ total: 1, users: ['john.doe'] });
    expect(stats.jwtAttempts.byStatus).toEqual({ '200': 3, '403': 4 });
  });

  it('lets a reactivated user issue again: setting active empties the quota window', async () => {
    const server = await startTestServer({ quota: { limit: 2 } });
    await statuses([postJwt(server, JOHN), postJwt(server, JOHN)]);
    expect((await postJwt(server, JOHN)).status).toBe(403);
    server.control.setStatus('john.doe', 'active');
    expect(server.control.getUser('john.doe')?.quotaUsed).toBe(0);
    expect(await statuses([postJwt(server, JOHN), postJwt(server, JOHN)])).toEqual([200, 200]);
    expect((await postJwt(server, JOHN)).status).toBe(403);
    expect(server.control.stats().bans).toEqual({ total: 2, users: ['john.doe'] });
  });

  it('does not count wrong passwords or other refusals as issues', async () => {
    const server = await startTestServer({ quota: { limit: 2 } });
    for (let i = 0; i < 5; i++) await postJwt(server, { username: 'john.doe', password: 'wrong' });
    await postJwt(server, { username: '' });
    expect(await statuses([postJwt(server, JOHN), postJwt(server, JOHN)])).toEqual([200, 200]);
    expect(server.control.stats().jwtAttempts.total).toBe(8);
  });

  it('is a sliding window: issues age out windowMs after they were made', async () => {
    const clock = virtualClock();
    const server = await startTestServer({ clock: clock.now, quota: { limit: 2, windowMs: 60_000 } });
    expect((await postJwt(server, JOHN)).status).toBe(200);
    clock.advance(30_000);
    expect((await postJwt(server, JOHN)).status).toBe(200);
    clock.advance(30_000); // the first issue is now exactly windowMs old: out of the window
    expect((await postJwt(server, JOHN)).status).toBe(200);
    clock.advance(29_999); // the second is still inside
    expect((await postJwt(server, JOHN)).status).toBe(403);
  });

  it('counts per user', async () => {
    const jane = { username: 'jane', password: 'janepw' };
    const server = await startTestServer({ users: [JOHN, jane], quota: { limit: 1 } });
    expect((await postJwt(server, JOHN)).status).toBe(200);
    expect((await postJwt(server, jane)).status).toBe(200);
    expect((await postJwt(server, JOHN)).status).toBe(403);
    expect(server.control.getUser('jane')?.status).toBe('active');
  });

  it('never overshoots under concurrent requests', async () => {
    const server = await startTestServer({ quota: { limit: 3 } });
    const results = await statuses(Array.from({ length: 12 }, () => postJwt(server, JOHN)));
    expect(results.filter((status) => status === 200)).toHaveLength(3);
    expect(results.filter((status) => status === 403)).toHaveLength(9);
    expect(server.control.stats().issues.total).toBe(3);
  });

  it('applies limit and window changes at runtime', async () => {
    const clock = virtualClock();
    const server = await startTestServer({ clock: clock.now, quota: { limit: 1 } });
    expect((await postJwt(server, JOHN)).status).toBe(200);
    server.control.configure({ quota: { limit: 2 } });
    expect((await postJwt(server, JOHN)).status).toBe(200);
    server.control.configure({ quota: { windowMs: 1_000 } });
    clock.advance(1_000);
    expect((await postJwt(server, JOHN)).status).toBe(200);
    expect(server.control.config().quota).toEqual({ limit: 2, windowMs: 1_000 });
  });

  it('resetQuota empties a window without unbanning', async () => {
    const server = await startTestServer({ quota: { limit: 1 } });
    expect((await postJwt(server, JOHN)).status).toBe(200);
    server.control.resetQuota('john.doe');
    expect((await postJwt(server, JOHN)).status).toBe(200);
    expect(() => server.control.resetQuota('nobody')).toThrow(/Unknown mock user/);
  });

  it('keeps every issue time in stats so tests can check any window', async () => {
    const clock = virtualClock();
    const server = await startTestServer({ clock: clock.now });
    await postJwt(server, JOHN);
    clock.advance(5_000);
    await postJwt(server, JOHN);
    const times = server.control.stats().issueTimes['john.doe']!;
    expect(times).toEqual([clock.now() - 5_000, clock.now()]);
  });
});
