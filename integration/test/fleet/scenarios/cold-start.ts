import { describe, expect, it } from 'vitest';
import { expectColdStartServed, freshUser, replicaConfigs, startFleet } from '../support/fleet.ts';
import type { FleetStore } from '../support/fleet-store.ts';

// Replicas are separate Node.js processes running the built packages (fixtures/replica.ts): the real
// client, the real store, the mock API over real HTTP. The mock's counters are the truth.
export function describeColdStart(store: FleetStore): void {
  const env = store.useShared();

  describe(`fleet cold start on a shared ${store.name}`, () => {
    it('1. 8 replicas × 200 concurrent requests from a cold start: exactly one POST /jwt/, every request succeeds', async () => {
      const user = freshUser(env.mock);
      const fleet = env.track(
        await startFleet(
          replicaConfigs(8, { baseUrl: env.mock.url, ...user, redis: env.replicaStore, traceStore: true }),
        ),
      );

      // Every replica is warm and idle; release them together.
      const tallies = await fleet.all((replica) => replica.burst(200));

      // One issue fleet-wide; every other replica took the token from the store.
      await expectColdStartServed(fleet, env.mock, user, tallies, 200);

      // Every record expires; no username or password anywhere. Without encryption the token itself is
      // stored as is (which also shows that the search would find a secret).
      const records = await env.expectTidy(fleet.namespace, [user.username, user.password]);
      expect(store.recordNames(records)).toEqual(store.coldStartRecords);
      const token = (await fleet.replicas[0]!.authorization()).replace(/^JWT /, '');
      expect(records.find((record) => record.name === store.tokenRecord)?.contents).toContain(token);
    }, 120_000);
  });
}
