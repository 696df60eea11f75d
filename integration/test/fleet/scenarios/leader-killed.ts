import { describe, expect, it } from 'vitest';
import { freshUser, replicaConfigs, startFleet, userStats } from '../support/fleet.ts';
import type { FleetStore } from '../support/fleet-store.ts';
import type { ReplicaProcess } from '../support/replica-process.ts';

/** Short enough that the takeover happens within seconds; the leader extends it every third. */
const LEASE_TTL_MS = 2000;
/**
 * The first POST /jwt/ is processed and answered this late: the leader is killed as soon as the
 * request arrives, long before. (If it ever got the answer, the takeover assertions would fail.)
 */
const SLOW_ISSUE_MS = 8000;

export function describeLeaderKilled(store: FleetStore): void {
  const env = store.useShared();

  describe(`fleet leader failure on ${store.name}`, () => {
    it('3. the lease holder is SIGKILLed while its POST /jwt/ is in flight: another replica takes over after the lease expires, at most 2 issues, every attempt counted', async () => {
      const user = freshUser(env.mock);
      // The server processes the first POST /jwt/ for real, SLOW_ISSUE_MS late, whoever is still listening.
      env.mock.control.queueFaults({ type: 'slow', delayMs: SLOW_ISSUE_MS });
      const fleet = env.track(
        await startFleet(
          replicaConfigs(4, {
            baseUrl: env.mock.url,
            ...user,
            redis: env.replicaStore,
            traceStore: true,
            provider: { leaseTtlMs: LEASE_TTL_MS },
          }),
        ),
      );

      const arrivedBefore = env.mock.control.stats().jwtAttempts.total;
      // Every replica asks at once; each call is retried on failure, as a service's own callers would.
      const bursts = new Map(fleet.replicas.map((replica) => [replica, replica.burst(20, 60_000)]));

      // The leader is the replica whose reservation was granted; its POST /jwt/ has reached the server
      // (counted on arrival) and waits there.
      await env.mock.control.waitFor((stats) => stats.jwtAttempts.total > arrivedBefore, 30_000);
      const reserved = (replica: ReplicaProcess): boolean =>
        replica.storeTraces.some((trace) => trace.op === 'reserveIssue' && trace.granted);
      await Promise.any(
        fleet.replicas.map((replica) => replica.until(() => reserved(replica), 'a reservation')),
      );
      const leaders = fleet.replicas.filter(reserved);
      expect(leaders).toHaveLength(1);
      const leader = leaders[0]!;
      const leaderFence = leader.storeTraces.find(
        (trace) => trace.op === 'acquireLease' && trace.granted,
      )?.fence;
      expect(leader.eventsOf('issued')).toEqual([]);
      const killedAt = Date.now();
      leader.kill('SIGKILL');
      expect((await leader.exited).signal).toBe('SIGKILL');
      await expect(bursts.get(leader)).rejects.toThrow(/exited/);

      const survivors = fleet.replicas.filter((replica) => replica !== leader);
      const tallies = await Promise.all(survivors.map((replica) => bursts.get(replica)!));
      expect(tallies.map((tally) => [tally.ok, tally.failed])).toEqual(survivors.map(() => [20, 0]));

      // Exactly one survivor issued, under a newer fence than the dead leader's.
      const takers = survivors.filter((replica) => replica.eventsOf('issued').length > 0);
      expect(takers).toHaveLength(1);
      expect(takers[0]!.eventsOf('issued')[0]!.fence).toBeGreaterThan(leaderFence!);
      const takeover = takers[0]!.storeTraces.filter((trace) => trace.op === 'acquireLease' && trace.granted);
      expect(takeover).toHaveLength(1);
      expect(takeover[0]!.at).toBeGreaterThan(killedAt);

      // The dead leader's request completes on the server (a token nobody received) and counts.
      await env.mock.control.waitFor((stats) => (stats.jwtAttempts.byStatus['200'] ?? 0) >= 2, 60_000);
      const mock = userStats(env.mock, user.username);
      expect(mock.attempts).toBe(2);
      expect(mock.issues).toBeLessThanOrEqual(2);
      // Every attempt, the lost one included, stays counted in the fleet's quota.
      const statuses = await Promise.all(survivors.map((replica) => replica.status()));
      expect(statuses.map((status) => status.quota?.used)).toEqual(survivors.map(() => mock.attempts));

      await env.expectTidy(fleet.namespace, [user.username, user.password]);
    }, 120_000);
  });
}
