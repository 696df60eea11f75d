import { describe, expect, it } from 'vitest';
import { freshUser, replicaConfigs, startFleet, sumTallies, userStats } from '../support/fleet.ts';
import type { FleetStore } from '../support/fleet-store.ts';

export function describeRevocation(store: FleetStore): void {
  const env = store.useShared();

  describe(`fleet token revocation on ${store.name}`, () => {
    it('4. the token is revoked on the server while 8 replicas are busy: exactly one new issue fleet-wide, requests keep succeeding', async () => {
      const user = freshUser(env.mock);
      const fleet = env.track(
        await startFleet(
          replicaConfigs(8, {
            baseUrl: env.mock.url,
            ...user,
            redis: env.replicaStore,
          }),
        ),
      );
      await fleet.all((replica) => replica.burst(1));
      const { issues, issueTimes } = userStats(env.mock, user.username);
      expect(issues).toBe(1);
      expect(issueTimes[0]).toBeDefined();

      for (const replica of fleet.replicas)
        replica.start({ op: 'busy', id: 'revocation', workers: 4, pauseMs: 10 });
      // Revoke once every replica is busy with the first token.
      const callsBefore = env.mock.control.stats().apiCalls.byStatus['200'] ?? 0;
      await env.mock.control.waitFor(
        (stats) => (stats.apiCalls.byStatus['200'] ?? 0) >= callsBefore + 400,
        30_000,
      );
      expect(env.mock.control.revoke({ username: user.username })).toBe(1);
      // Keep them busy until the new token has served plenty of calls.
      const rejected = await env.mock.control.waitFor(
        (stats) => (stats.apiCalls.byStatus['401'] ?? 0) >= 1,
        30_000,
      );
      const okAfterRevoke = rejected.apiCalls.byStatus['200'] ?? 0;
      await env.mock.control.waitFor(
        (stats) => (stats.apiCalls.byStatus['200'] ?? 0) >= okAfterRevoke + 800,
        60_000,
      );
      const tallies = await fleet.all((replica) => replica.stop('revocation'));

      const total = sumTallies(tallies);
      expect(total.failures).toEqual({});
      for (const tally of tallies) expect(tally.ok).toBeGreaterThan(0);
      expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 2, issues: 2 });
      // The API really rejected the old token; each rejection was answered with the new one.
      expect(env.mock.control.stats().apiCalls.byStatus['401']).toBeGreaterThan(0);
      const statuses = await fleet.all((replica) => replica.status());
      expect(statuses.map((status) => status.quota?.used)).toEqual(Array(8).fill(2));

      await env.expectTidy(fleet.namespace, [user.username, user.password]);
    }, 120_000);
  });
}
