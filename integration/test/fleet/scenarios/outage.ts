import { describe, expect, it } from 'vitest';
import {
  freshUser,
  moreApiCalls,
  replicaConfigs,
  startFleet,
  sumTallies,
  userStats,
} from '../support/fleet.ts';
import type { FleetStore } from '../support/fleet-store.ts';
import { ReplicaProcess } from '../support/replica-process.ts';

/** How long the store stays down: the issue's requirement. */
const OUTAGE_MS = 10_000;

// A store server of this file alone, stopped and started again on the same port; it keeps what it
// holds across the restart, as a production one would. The shared server is never touched.
export function describeOutage(store: FleetStore): void {
  const env = store.usePrivate();

  describe(`fleet through a ${store.name} outage`, () => {
    it(`${store.name} stopped for 10 s under load and started again: requests keep succeeding on the held token, no POST /jwt/ while it is down (fail closed), the fleet recovers without overshooting`, async () => {
      const user = freshUser(env.mock);
      const base = { baseUrl: env.mock.url, ...user, redis: env.replicaStore };
      const fleet = env.track(await startFleet(replicaConfigs(8, base)));
      await fleet.all((replica) => replica.burst(1));
      expect(userStats(env.mock, user.username).attempts).toBe(1);

      for (const replica of fleet.replicas)
        replica.start({ op: 'busy', id: 'outage', workers: 2, pauseMs: 20 });
      await moreApiCalls(env.mock, 200);

      await env.stop();
      const attemptsAtStop = userStats(env.mock, user.username).attempts;
      // A replica that starts during the outage has no token and may not get one: it fails closed.
      const late = env.track(new ReplicaProcess({ ...base, name: 'started-during-outage' }));
      await late.ready;
      const lateTally = await late.burst(5);
      expect(lateTally.failures).toEqual({ STORE_UNAVAILABLE: 5 });
      // The busy replicas keep serving while the store stays down.
      await moreApiCalls(env.mock, 200);
      await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
      expect(userStats(env.mock, user.username).attempts).toBe(attemptsAtStop);

      await env.start();
      await moreApiCalls(env.mock, 200);
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

      await env.expectTidy(fleet.namespace, [user.username, user.password]);
    }, 180_000);
  });
}
