import { describe, expect, it } from 'vitest';
import { describeStoreForgets, forgetfulConfig, reportCase } from './scenarios/store-forgets.ts';
import {
  describeWindowOverrun,
  freshUser,
  maxInAnyWindow,
  replicaConfigs,
  startFleet,
  sumTallies,
  userStats,
} from './support/fleet.ts';
import { redisStore } from './support/redis-store.ts';

const env = describeStoreForgets(redisStore, 'case 1a');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the store forgets (guarantee 10) on Redis, twice', () => {
  it('1b. two empty restarts inside one window with 2-second tokens: never more than the limit in any window, never a ban', async () => {
    const quota = { limit: 6, windowMs: 60_000 };
    env.mock.control.configure({ quota, tokenLifetimeSeconds: 2 });
    const user = freshUser(env.mock);
    const base = forgetfulConfig(env, user, quota);
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
    await env.forget();
    await sleep(8000);
    await env.forget();
    const tallies = await running;
    reportCase(env, 'case 1b', user.username, quota, tallies);

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
