import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  describeWindowOverrun,
  freshUser,
  maxInAnyWindow,
  moreApiCalls,
  replicaConfigs,
  startFleet,
  sumTallies,
  userStats,
} from '../fleet/support/fleet.ts';
import { useSharedRedis } from '../fleet/support/redis-store.ts';
import { ReplicaProcess } from '../fleet/support/replica-process.ts';

/** As in sentinel-failover: the mock bans at the 4th issue in 2 minutes, so any overshoot is a ban. */
const QUOTA = { limit: 3, windowMs: 120_000 };
const env = useSharedRedis({ quota: { limit: QUOTA.limit, windowMs: QUOTA.windowMs } });

/** How long Redis stays down. */
const OUTAGE_MS = 5_000;

// Persistence off (no RDB, no AOF): a restart comes back empty, as the README's own test Redis would.
let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startPrivateRedis();
});
afterAll(async () => {
  await redis?.close();
});

describe('a Redis without persistence restarts under load', () => {
  it('fails closed while it is down, serves after it is back (empty), and never goes over the limit', async () => {
    const user = freshUser(env.mock);
    const base = {
      baseUrl: env.mock.url,
      ...user,
      redis: { url: redis.url },
      quota: QUOTA,
      // Store checks every 500 ms: the live replicas notice the emptied store within a second.
      provider: { storeCheckIntervalMs: 500 },
    };
    const fleet = env.track(await startFleet(replicaConfigs(4, base)));
    await fleet.all((replica) => replica.burst(1));
    expect(userStats(env.mock, user.username).attempts).toBe(1);
    for (const replica of fleet.replicas)
      replica.start({ op: 'busy', id: 'restart', workers: 2, pauseMs: 20 });
    await moreApiCalls(env.mock, 100);

    await redis.stop();
    const attemptsAtStop = userStats(env.mock, user.username).attempts;
    // A replica with no token may not get one while the store is gone: it fails closed.
    const late = env.track(new ReplicaProcess({ ...base, name: 'started-during-outage' }));
    await late.ready;
    expect((await late.burst(5)).failures).toEqual({ STORE_UNAVAILABLE: 5 });
    await moreApiCalls(env.mock, 100);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    expect(userStats(env.mock, user.username).attempts, 'POST /jwt/ while Redis was down').toBe(
      attemptsAtStop,
    );

    await redis.start();
    // Guarantee 10: a live replica notices the empty store and writes its still-valid token back.
    await Promise.any(
      fleet.replicas.map((replica) =>
        replica.until(
          () => replica.eventsOf('store-reset').some((event) => event.tokenRestored),
          'a live replica wrote its token back to the emptied store',
          30_000,
        ),
      ),
    );
    await moreApiCalls(env.mock, 100);
    const tallies = await fleet.all((replica) => replica.stop('restart'));
    // The replicas that held the token served throughout: down, and back but empty.
    expect(sumTallies(tallies).failures).toEqual({});

    const lateAgain = await late.burst(5, 60_000);
    expect([lateAgain.ok, lateAgain.failed]).toEqual([5, 0]);
    const afterRestart = userStats(env.mock, user.username).attempts;
    // The late replica adopts the token a live replica wrote back: no new issue (on main, before
    // guarantee 10, it found the store empty and issued: 2).
    expect(afterRestart).toBe(1);

    // A forced refresh after the restart: one more issue at most, every replica serves, no ban.
    // Every token issued so far dies: the fleet's one.
    expect(env.mock.control.revoke({ username: user.username })).toBe(afterRestart);
    const everyone = [...fleet.replicas, late];
    const after = await Promise.all(everyone.map((replica) => replica.burst(20, 60_000)));
    expect(after.map((tally) => [tally.ok, tally.failed])).toEqual(everyone.map(() => [20, 0]));
    const { attempts, issueTimes } = userStats(env.mock, user.username);
    process.stdout.write(
      `[redis-restart-empty] attempts: ${attemptsAtStop} before the restart, ${afterRestart} after it, ` +
        `${attempts} after a forced refresh (limit ${QUOTA.limit})\n`,
    );
    expect(attempts).toBe(afterRestart + 1);
    expect(env.mock.control.stats().bans.total, 'the API banned the user').toBe(0);
    expect(
      maxInAnyWindow(issueTimes, QUOTA.windowMs),
      describeWindowOverrun(issueTimes, QUOTA),
    ).toBeLessThanOrEqual(QUOTA.limit);
  }, 180_000);
});
