import { describe, expect, it } from 'vitest';
import {
  expectColdStartServed,
  freshUser,
  replicaConfigs,
  startFleet,
  userStats,
} from '../fleet/support/fleet.ts';
import { useSharedRedis } from '../fleet/support/redis-store.ts';
import type { ReplicaProcess } from '../fleet/support/replica-process.ts';
import { expectTidyNamespace } from '../fleet/support/stored-keys.ts';

const env = useSharedRedis();

const MINUTE_MS = 60_000;
/** Eight clocks from 10 minutes behind to 10 minutes ahead. */
const OFFSETS_MS = Array.from({ length: 8 }, (_, index) => Math.round((-10 + (20 * index) / 7) * MINUTE_MS));

describe('fleet with skewed clocks', () => {
  it('8. replicas whose clocks are off by -10..+10 minutes: exactly one issuer and reservation, the same quota usage everywhere', async () => {
    const user = freshUser(env.mock);
    const fleet = env.track(
      await startFleet(
        replicaConfigs(
          8,
          { baseUrl: env.mock.url, ...user, redis: { url: env.redisUrl }, traceStore: true },
          // The offset clock goes to the provider (through createConnexeaseClient's `clock`) and the store.
          (index) => ({ clockOffsetMs: OFFSETS_MS[index]! }),
        ),
      ),
    );

    const tallies = await fleet.all((replica) => replica.burst(50));
    // Lease and quota times come from Redis: one replica reserved and issued, every other one reused it.
    const statuses = await expectColdStartServed(fleet, env.mock, user, tallies, 50);
    expect(statuses.map((status) => status.quota?.remaining)).toEqual(Array(8).fill(24));
    // Each replica holds the token with an expiry on its own clock: about a day ahead of it.
    for (const [index, status] of statuses.entries()) {
      const localNow = Date.now() + OFFSETS_MS[index]!;
      expect(status.token?.expiresAt).toBeGreaterThan(localNow);
    }

    await expectTidyNamespace(env.redis, fleet.namespace, [user.username, user.password]);
  }, 120_000);
});

/**
 * After a revocation only a replica whose clock differs from the issuer's by 10 minutes is left to
 * refresh (the issuer has exited). The stored record's `issuedAt` is on the issuer's clock.
 */
async function refreshAfterRevocation(issuerOffsetMs: number, refresherOffsetMs: number) {
  const user = freshUser(env.mock);
  const base = {
    baseUrl: env.mock.url,
    ...user,
    redis: { url: env.redisUrl },
  };
  const fleet = env.track(
    await startFleet([
      { ...base, name: 'issuer', clockOffsetMs: issuerOffsetMs },
      { ...base, name: 'refresher', clockOffsetMs: refresherOffsetMs },
    ]),
  );
  const [issuer, refresher] = fleet.replicas as [ReplicaProcess, ReplicaProcess];
  expect((await issuer.burst(1)).ok).toBe(1);
  await issuer.close();
  expect((await refresher.burst(1)).ok).toBe(1);
  expect(refresher.eventsOf('reused-from-store')).toHaveLength(1);
  // The API revokes the token: the first 401 for it refreshes once, whatever its age.
  expect(env.mock.control.revoke({ username: user.username })).toBe(1);

  const tally = await refresher.burst(1);
  return { tally, stats: userStats(env.mock, user.username) };
}

describe('fleet with skewed clocks after a revocation', () => {
  it('8b. a replica 20 minutes behind the issuer refreshes a revoked token at once', async () => {
    const { tally, stats } = await refreshAfterRevocation(10 * MINUTE_MS, -10 * MINUTE_MS);
    expect(tally.failures).toEqual({});
    expect(stats).toMatchObject({ attempts: 2, issues: 2 });
  }, 60_000);

  it('8c. a replica 20 minutes ahead of the issuer refreshes a revoked token at once', async () => {
    const { tally, stats } = await refreshAfterRevocation(-10 * MINUTE_MS, 10 * MINUTE_MS);
    expect(tally.failures).toEqual({});
    expect(stats).toMatchObject({ attempts: 2, issues: 2 });
  }, 60_000);

  it('8d. control: with both clocks right, the same refresh works', async () => {
    const { tally, stats } = await refreshAfterRevocation(0, 0);
    expect(tally.failures).toEqual({});
    expect(stats).toMatchObject({ attempts: 2, issues: 2 });
  }, 60_000);
});
