import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshUser, replicaConfigs, startFleet, sumTallies, userStats } from '../fleet/support/fleet.ts';
import { ReplicaProcess } from '../fleet/support/replica-process.ts';
import { expectTidyNamespace } from '../fleet/support/stored-keys.ts';
import { useFleetEnvironment } from './support/environment.ts';

const env = useFleetEnvironment();

/** How long Redis stays down: the issue's requirement. */
const OUTAGE_MS = 10_000;

// A Redis of this file alone, stopped and restarted on the same port. It keeps an append-only file
// (fsync on every write) like a production Redis would, so a restart loses neither quota nor token.
let redis: PrivateRedis;
let admin: Redis;
beforeAll(async () => {
  redis = await startPrivateRedis({ args: ['--appendonly', 'yes', '--appendfsync', 'always'] });
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  admin.on('error', () => {});
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.close();
});

/** Waits until the mock has answered `more` further API calls with 200. */
async function moreCalls(more: number): Promise<void> {
  const start = env.mock.control.stats().apiCalls.byStatus['200'] ?? 0;
  await env.mock.control.waitFor((stats) => (stats.apiCalls.byStatus['200'] ?? 0) >= start + more, 60_000);
}

/** How many EVAL commands (full script bodies) the private Redis has run. */
async function evalCalls(): Promise<number> {
  const info = await admin.info('commandstats');
  return Number(/cmdstat_eval:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

describe('fleet through Redis outages', () => {
  it('7a. Redis stopped for 10 s mid-run and restarted: requests keep succeeding on the held token, no POST /jwt/ while it is down, the fleet recovers without overshooting', async () => {
    const user = freshUser(env.mock);
    const base = {
      baseUrl: env.mock.url,
      ...user,
      redis: { url: redis.url },
    };
    const fleet = env.track(await startFleet(replicaConfigs(8, base)));
    await fleet.all((replica) => replica.burst(1));
    expect(userStats(env.mock, user.username).attempts).toBe(1);

    for (const replica of fleet.replicas)
      replica.start({ op: 'busy', id: 'outage', workers: 2, pauseMs: 20 });
    await moreCalls(200);

    await redis.stop();
    const attemptsAtStop = userStats(env.mock, user.username).attempts;
    // A replica that starts during the outage has no token and may not get one: it fails closed.
    const late = env.track(new ReplicaProcess({ ...base, name: 'started-during-outage' }));
    await late.ready;
    const lateTally = await late.burst(5);
    expect(lateTally.failures).toEqual({ STORE_UNAVAILABLE: 5 });
    // The busy replicas keep serving while Redis stays down.
    await moreCalls(200);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    expect(userStats(env.mock, user.username).attempts).toBe(attemptsAtStop);

    await redis.start();
    await moreCalls(200);
    const tallies = await fleet.all((replica) => replica.stop('outage'));
    expect(sumTallies(tallies).failures).toEqual({});
    for (const tally of tallies) expect(tally.ok).toBeGreaterThan(0);

    // Back up: the late replica gets the stored token (no issue); a forced refresh issues once.
    const lateAgain = await late.burst(5, 60_000);
    expect([lateAgain.ok, lateAgain.failed]).toEqual([5, 0]);
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 1, issues: 1 });
    expect(env.mock.control.revoke({ username: user.username })).toBe(1);
    const everyone = [...fleet.replicas, late];
    const after = await Promise.all(everyone.map((replica) => replica.burst(20, 60_000)));
    expect(after.map((tally) => [tally.ok, tally.failed])).toEqual(everyone.map(() => [20, 0]));
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 2, issues: 2 });
    const statuses = await Promise.all(everyone.map((replica) => replica.status()));
    expect(statuses.map((status) => status.quota?.used)).toEqual(everyone.map(() => 2));

    await admin.connect().catch(() => {});
    await expectTidyNamespace(admin, fleet.namespace, [user.username, user.password]);
  }, 180_000);

  it('7b. SCRIPT FLUSH mid-run: requests and a forced refresh (revocation) still work, with one issue', async () => {
    const user = freshUser(env.mock);
    const fleet = env.track(
      await startFleet(
        replicaConfigs(4, {
          baseUrl: env.mock.url,
          ...user,
          redis: { url: redis.url },
        }),
      ),
    );
    await fleet.all((replica) => replica.burst(1));
    const [issuedAt] = userStats(env.mock, user.username).issueTimes;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedAt! + 1000 - Date.now())));
    for (const replica of fleet.replicas) replica.start({ op: 'busy', id: 'flush', workers: 2, pauseMs: 20 });
    await moreCalls(100);

    if (admin.status !== 'ready') await admin.connect().catch(() => {});
    const evalsBefore = await evalCalls();
    expect(await admin.script('FLUSH')).toBe('OK');
    // Every script the fleet needs next is gone from Redis: the refresh must load them again.
    expect(env.mock.control.revoke({ username: user.username })).toBe(1);
    await env.mock.control.waitFor((stats) => (stats.issues.byUser[user.username] ?? 0) >= 2, 60_000);
    await moreCalls(200);
    const tallies = await fleet.all((replica) => replica.stop('flush'));

    expect(sumTallies(tallies).failures).toEqual({});
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 2, issues: 2 });
    // The scripts really were gone: the fleet sent them again (EVAL after NOSCRIPT).
    expect(await evalCalls()).toBeGreaterThan(evalsBefore);
    const statuses = await fleet.all((replica) => replica.status());
    expect(statuses.map((status) => status.quota?.used)).toEqual([2, 2, 2, 2]);
    await expectTidyNamespace(admin, fleet.namespace, [user.username, user.password]);
  }, 120_000);
});
