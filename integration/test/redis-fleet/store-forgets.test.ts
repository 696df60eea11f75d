import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWindowOverrun,
  freshUser,
  maxInAnyWindow,
  replicaConfigs,
  startFleet,
  sumTallies,
  userStats,
} from '../fleet/support/fleet.ts';
import type { ReplicaConfig, RequestTally } from '../fleet/support/protocol.ts';
import { ReplicaProcess } from '../fleet/support/replica-process.ts';
import { expectTidyNamespace } from '../fleet/support/stored-keys.ts';
import { useFleetEnvironment } from './support/environment.ts';

// Issue 10, case 1 (guarantee 10): a Redis that restarts empty must not let the fleet forget the
// attempts it made. The mock bans the user on the request that would exceed `limit` issues in any
// `windowMs`, and the fleet is given exactly the mock's limit: one forgotten attempt is a ban.
const env = useFleetEnvironment();

// A Redis of this file alone, run as the README runs it: no RDB, no AOF. A restart empties it.
let redis: PrivateRedis;
let admin: Redis;
beforeAll(async () => {
  redis = await startPrivateRedis();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  admin.on('error', () => {});
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.close();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Prints the case's figures (for the issue's closing note), before anything is asserted. */
function report(
  name: string,
  username: string,
  quota: { limit: number; windowMs: number },
  tallies: readonly RequestTally[],
): void {
  const mock = userStats(env.mock, username);
  const total = sumTallies(tallies);
  const banned = env.mock.control.stats().bans.users.includes(username);
  console.info(
    `[case ${name}] POST /jwt/ attempts ${mock.attempts} (issues ${mock.issues}, at most ` +
      `${maxInAnyWindow(mock.issueTimes, quota.windowMs)} in one window) against a limit of ${quota.limit}; ` +
      `banned: ${banned}; requests served ${total.ok}, failed ${total.failed} ${JSON.stringify(total.failures)}`,
  );
}

/** Restarts the private Redis empty (it persists nothing) and checks that it really is empty. */
async function restartEmpty(): Promise<void> {
  await redis.restart();
  if (admin.status !== 'ready') await admin.connect().catch(() => {});
  expect(await admin.dbsize(), 'the restarted Redis is empty').toBe(0);
}

/** Replica settings: short leases and store checks so a test sees in seconds what takes a minute. */
function baseConfig(
  user: { username: string; password: string },
  quota: { limit: number; windowMs: number },
): Omit<ReplicaConfig, 'name'> {
  return {
    baseUrl: env.mock.url,
    ...user,
    redis: { url: redis.url },
    quota,
    traceStore: true,
    store: { commandTimeoutMs: 1000 },
    provider: {
      leaseTtlMs: 1000,
      storeCheckIntervalMs: 500,
      // Reservations count over windowMs + issueTimeoutMs: keep the widening small against a 60 s window.
      issueTimeoutMs: 5000,
      retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 500 },
    },
  };
}

describe('the store forgets (guarantee 10)', () => {
  it('1a. the fleet spends its budget, Redis restarts empty, a replica started afterwards adopts the written-back token: no ban, no attempt past the limit', async () => {
    const quota = { limit: 5, windowMs: 60_000 };
    env.mock.control.configure({ quota, tokenLifetimeSeconds: 86_400 });
    const user = freshUser(env.mock);
    const base = baseConfig(user, quota);
    const fleet = env.track(await startFleet(replicaConfigs(3, base)));

    // The budget goes: four attempts are issued by the API but their answers are lost (connection
    // reset), the fifth brings the token every replica then serves.
    env.mock.control.queueFaults(
      ...Array.from({ length: 4 }, () => ({ type: 'reset' as const, issue: true })),
    );
    const spent = await fleet.all((replica) => replica.burst(2, 60_000));
    expect(sumTallies(spent)).toMatchObject({ ok: 6, failed: 0 });
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 5, issues: 5 });
    expect((await fleet.replicas[0]!.status()).quota).toMatchObject({ used: 5, remaining: 0 });

    await restartEmpty();
    // The live replicas notice within a store check, re-add the five attempts and write their token back.
    const quotaKey = `cxk:{${fleet.namespace}}:quota`;
    const tokenKey = `cxk:{${fleet.namespace}}:token`;
    for (let deadline = Date.now() + 30_000; ; ) {
      if ((await admin.zcard(quotaKey)) === 5 && (await admin.exists(tokenKey)) === 1) break;
      if (Date.now() > deadline) throw new Error('the live replicas did not restore the emptied store');
      await sleep(100);
    }
    const resets = fleet.replicas.flatMap((replica) => replica.eventsOf('store-reset'));
    expect(resets.length).toBeGreaterThan(0);
    expect(resets.some((event) => event.tokenRestored)).toBe(true);

    const late = env.track(new ReplicaProcess({ ...base, name: 'deployed-after-the-restart' }));
    await late.ready;
    const served = await late.burst(5, 30_000);
    const everyone = await fleet.all((replica) => replica.burst(5, 30_000));
    report('1a', user.username, quota, [served, ...everyone]);

    expect([served.ok, served.failed]).toEqual([5, 0]);
    expect(sumTallies(everyone)).toMatchObject({ ok: 15, failed: 0 });
    expect(env.mock.control.stats().bans.users).not.toContain(user.username);
    expect(env.mock.control.getUser(user.username)?.status).toBe('active');
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 5, issues: 5 });
    expect((await late.status()).quota).toMatchObject({ used: 5, remaining: 0 });
    await expectTidyNamespace(admin, fleet.namespace, [user.username, user.password]);
  }, 180_000);

  it('1b. two empty restarts inside one window with 2-second tokens: never more than the limit in any window, never a ban', async () => {
    const quota = { limit: 6, windowMs: 60_000 };
    env.mock.control.configure({ quota, tokenLifetimeSeconds: 2 });
    const user = freshUser(env.mock);
    const base = baseConfig(user, quota);
    const fleet = env.track(
      await startFleet(
        replicaConfigs(3, { ...base, provider: { ...base.provider, refreshBeforeExpiryMs: 1000 } }),
      ),
    );

    // Busy replicas want a fresh token every second: the six issues go within seconds, then every
    // refresh is denied until the window slides, and Redis forgets everything, twice.
    const running = fleet.all((replica) => replica.busy(2, 100, 40_000));
    await env.mock.control.waitFor((stats) => (stats.issues.byUser[user.username] ?? 0) >= 3, 30_000);
    await sleep(5000);
    await restartEmpty();
    await sleep(8000);
    await restartEmpty();
    const tallies = await running;
    report('1b', user.username, quota, tallies);

    const mock = userStats(env.mock, user.username);
    expect(env.mock.control.stats().bans.users, 'the API banned the user').not.toContain(user.username);
    expect(
      maxInAnyWindow(mock.issueTimes, quota.windowMs),
      describeWindowOverrun(mock.issueTimes, quota),
    ).toBeLessThanOrEqual(quota.limit);
    expect(mock.attempts).toBeLessThanOrEqual(quota.limit);
    const total = sumTallies(tallies);
    expect(total.ok).toBeGreaterThan(0);
    expect(total.failures.QUOTA_EXHAUSTED ?? 0).toBeGreaterThan(0);
    const resets = fleet.replicas.flatMap((replica) => replica.eventsOf('store-reset'));
    expect(resets.length, 'the replicas noticed both restarts').toBeGreaterThanOrEqual(2);
  }, 180_000);
});
