import { type RedisSentinelHandle, startRedisSentinel } from '@connexease-kit/test-servers';
import { afterEach, describe, expect, it } from 'vitest';
import {
  describeWindowOverrun,
  type Fleet,
  freshUser,
  maxInAnyWindow,
  replicaConfigs,
  startFleet,
  sumTallies,
  userStats,
} from '../fleet/support/fleet.ts';
import type { RequestTally } from '../fleet/support/protocol.ts';
import { useSharedRedis } from '../fleet/support/redis-store.ts';
import { ReplicaProcess } from '../fleet/support/replica-process.ts';

/**
 * A tight budget on both sides: the fleet may reserve 3 attempts per 2 minutes, and the mock bans the
 * user at its 4th issue in 2 minutes. Any attempt the failover made the fleet forget shows up as a ban.
 */
const QUOTA = { limit: 3, windowMs: 120_000 };
const env = useSharedRedis({ quota: { limit: QUOTA.limit, windowMs: QUOTA.windowMs } });

let topology: RedisSentinelHandle | undefined;
afterEach(async () => {
  await topology?.close();
  topology = undefined;
});

/** A Sentinel topology of this test alone: master, replica, three Sentinels. */
async function sentinelTopology(): Promise<RedisSentinelHandle> {
  topology = await startRedisSentinel();
  return topology;
}

/** Waits until the mock has answered `more` further API calls with 200. */
async function moreCalls(more: number): Promise<void> {
  const start = env.mock.control.stats().apiCalls.byStatus['200'] ?? 0;
  await env.mock.control.waitFor((stats) => (stats.apiCalls.byStatus['200'] ?? 0) >= start + more, 60_000);
}

function ok200(): number {
  return env.mock.control.stats().apiCalls.byStatus['200'] ?? 0;
}

/** The ban and window checks every failover run ends with. */
function expectNeverOverLimit(username: string): void {
  const { attempts, issueTimes } = userStats(env.mock, username);
  expect(env.mock.control.stats().bans.total, 'the API banned the user').toBe(0);
  expect(attempts, 'POST /jwt/ attempts').toBeLessThanOrEqual(QUOTA.limit);
  expect(
    maxInAnyWindow(issueTimes, QUOTA.windowMs),
    describeWindowOverrun(issueTimes, QUOTA),
  ).toBeLessThanOrEqual(QUOTA.limit);
}

async function sentinelFleet(
  count: number,
  user: { username: string; password: string },
  sentinel: RedisSentinelHandle,
): Promise<Fleet> {
  return env.track(
    await startFleet(
      replicaConfigs(count, {
        baseUrl: env.mock.url,
        ...user,
        redis: { sentinels: [...sentinel.sentinels], name: sentinel.name },
        quota: QUOTA,
      }),
    ),
  );
}

function report(label: string, figures: Record<string, unknown>): void {
  // Figures for the issue's closing note; the assertions below do not depend on them.
  process.stdout.write(`[sentinel-failover] ${label}: ${JSON.stringify(figures)}\n`);
}

describe('a fleet on Redis Sentinel: the master is killed under load', () => {
  it('the held token keeps serving through the failover, nothing is issued, and the fleet serves from the promoted master', async () => {
    const sentinel = await sentinelTopology();
    const user = freshUser(env.mock);
    const fleet = await sentinelFleet(4, user, sentinel);
    await fleet.all((replica) => replica.burst(1, 30_000));
    expect(userStats(env.mock, user.username).attempts).toBe(1);

    for (const replica of fleet.replicas)
      replica.start({ op: 'busy', id: 'failover', workers: 2, pauseMs: 20 });
    await moreCalls(100);

    const master = await sentinel.currentMaster();
    const servedBeforeKill = ok200();
    await sentinel.kill(master);
    const promoted = await sentinel.waitForFailover(master);
    const servedDuringFailover = ok200() - servedBeforeKill;
    expect(promoted.port).not.toBe(master.port);
    await moreCalls(100);
    const tallies = await fleet.all((replica) => replica.stop('failover'));
    const total = sumTallies(tallies);
    report('held token through the failover', {
      servedDuringFailover,
      ok: total.ok,
      failed: total.failed,
      failures: total.failures,
      attempts: userStats(env.mock, user.username).attempts,
      limit: QUOTA.limit,
    });

    // The token in memory served every request; the failover cost nothing and issued nothing.
    expect(servedDuringFailover).toBeGreaterThan(0);
    expect(total.failures).toEqual({});
    expect(userStats(env.mock, user.username).attempts).toBe(1);

    // A replica started after the promotion finds the token on the new master: no issue.
    const late = env.track(
      new ReplicaProcess({ ...fleet.replicas[0]!.config, name: 'started-after-promotion' }),
    );
    await late.ready;
    const lateTally = await late.burst(5, 60_000);
    expect([lateTally.ok, lateTally.failed]).toEqual([5, 0]);
    expect(userStats(env.mock, user.username).attempts).toBe(1);

    // A forced refresh (the server revokes the token) goes through the promoted master: one issue.
    expect(env.mock.control.revoke({ username: user.username })).toBe(1);
    const everyone = [...fleet.replicas, late];
    const after = await Promise.all(everyone.map((replica) => replica.burst(20, 60_000)));
    report('after the promotion', {
      ok: sumTallies(after).ok,
      failed: sumTallies(after).failed,
      attempts: userStats(env.mock, user.username).attempts,
    });
    expect(after.map((tally) => [tally.ok, tally.failed])).toEqual(everyone.map(() => [20, 0]));
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 2, issues: 2 });
    const statuses = await Promise.all(everyone.map((replica) => replica.status()));
    expect(statuses.map((status) => status.quota?.used)).toEqual(everyone.map(() => 2));
    expectNeverOverLimit(user.username);
  }, 240_000);

  it('killed while the fleet refreshes a revoked token: fails closed during the failover, serves after it, never over the limit', async () => {
    const sentinel = await sentinelTopology();
    const user = freshUser(env.mock);
    const fleet = await sentinelFleet(4, user, sentinel);
    await fleet.all((replica) => replica.burst(1, 30_000));
    for (const replica of fleet.replicas)
      replica.start({ op: 'busy', id: 'refresh', workers: 2, pauseMs: 20 });
    await moreCalls(100);

    // The token dies on the server and the master dies with the refresh under way.
    const master = await sentinel.currentMaster();
    expect(env.mock.control.revoke({ username: user.username })).toBe(1);
    await env.mock.control.waitFor((stats) => (stats.apiCalls.byStatus['401'] ?? 0) >= 1, 30_000);
    await sentinel.kill(master);
    await sentinel.waitForFailover(master);
    const failoverTallies: RequestTally[] = await fleet.all((replica) => replica.stop('refresh'));

    // After the promotion every replica serves again, with a token the promoted master holds.
    const firstAfter = await fleet.all((replica) => replica.burst(1, 60_000));
    expect(firstAfter.map((tally) => tally.ok)).toEqual(fleet.replicas.map(() => 1));
    for (const replica of fleet.replicas) replica.start({ op: 'busy', id: 'after', workers: 2, pauseMs: 20 });
    await moreCalls(200);
    const afterTallies = await fleet.all((replica) => replica.stop('after'));
    const during = sumTallies(failoverTallies);
    const after = sumTallies(afterTallies);
    report('refresh under way at the kill', {
      during: { ok: during.ok, failed: during.failed, failures: during.failures },
      after: { ok: after.ok, failed: after.failed, failures: after.failures },
      attempts: userStats(env.mock, user.username).attempts,
      limit: QUOTA.limit,
    });

    // While the store was gone, a request that needed a new token failed closed: no 401 loops, no ban.
    for (const code of Object.keys(during.failures)) {
      expect(['STORE_UNAVAILABLE', 'HTTP_401', 'TOKEN_REJECTED']).toContain(code);
    }
    for (const tally of afterTallies) expect(tally.ok).toBeGreaterThan(0);
    expect(after.failures).toEqual({});
    const authorizations = new Set(await fleet.all((replica) => replica.authorization()));
    expect(authorizations.size, 'every replica uses the same token after the promotion').toBe(1);
    expectNeverOverLimit(user.username);
  }, 240_000);
});
