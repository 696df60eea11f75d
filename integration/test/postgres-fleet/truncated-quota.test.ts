import { postgresQuery, SHARED_DATABASE_URL } from '@connexease-kit/test-servers';
import { createPostgresTokenStore } from '@connexease-kit/token-store-postgres';
import { describe, expect, it } from 'vitest';
import { freshUser, replicaConfigs, startFleet, userStats } from '../fleet/support/fleet.ts';
import { useSharedSchema } from '../fleet/support/postgres-store.ts';
import { ReplicaProcess } from '../fleet/support/replica-process.ts';

const env = useSharedSchema();

/** A small budget, spent by two issues. */
const QUOTA = { limit: 2, windowMs: 24 * 60 * 60 * 1000 };

describe('the quota table truncated mid-window', () => {
  it('6. a fleet that spent its budget, then lost the quota table to a TRUNCATE: no replica issues again, not even one started afterwards', async () => {
    const user = freshUser(env.mock);
    const base = {
      baseUrl: env.mock.url,
      ...user,
      redis: env.replicaStore,
      quota: QUOTA,
      // Short store checks: a leader that finds a just-lost record waits 1.5 of them for the others to re-add theirs.
      provider: { storeCheckIntervalMs: 500 },
    };
    const fleet = env.track(await startFleet(replicaConfigs(4, base)));
    await fleet.all((replica) => replica.burst(1));
    // Spend the budget: a revocation makes the fleet issue its second (and last) token.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(env.mock.control.revoke({ username: user.username })).toBe(1);
    const second = await fleet.all((replica) => replica.burst(5, 30_000));
    expect(second.map((tally) => tally.failed)).toEqual([0, 0, 0, 0]);
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 2, issues: 2 });

    // The operator (or a bad migration) empties the quota table mid-window.
    await postgresQuery(`TRUNCATE ${env.schema}.connexease_quota`);

    // The token is revoked again: the fleet wants a third token, which would exceed its budget.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(env.mock.control.revoke({ username: user.username })).toBe(1);
    const third = await fleet.all((replica) => replica.burst(5));
    const late = env.track(new ReplicaProcess({ ...base, name: 'started-after-truncate' }));
    await late.ready;
    const lateTally = await late.burst(5);

    expect(
      userStats(env.mock, user.username),
      'the emptied table must not read as an unused budget',
    ).toMatchObject({
      attempts: 2,
      issues: 2,
    });
    for (const tally of [...third, lateTally]) expect(tally.ok).toBe(0);
    const codes = new Set([...third, lateTally].flatMap((tally) => Object.keys(tally.failures)));
    expect(codes.has('QUOTA_EXHAUSTED') || codes.has('TOKEN_REJECTED') || codes.has('ENDPOINT_REFUSED')).toBe(
      true,
    );
    // The store says why: its marker knows the newest entry, which the table no longer holds.
    const store = createPostgresTokenStore({ connectionString: SHARED_DATABASE_URL, schema: env.schema });
    try {
      const usage = await store.quotaUsage(late.namespace, { windowMs: QUOTA.windowMs });
      const restored = usage.entries.length >= QUOTA.limit;
      expect(
        restored || usage.lostThrough !== null,
        'entries re-added by a replica, or the loss reported',
      ).toBe(true);
    } finally {
      await store.close();
    }
  }, 120_000);
});
