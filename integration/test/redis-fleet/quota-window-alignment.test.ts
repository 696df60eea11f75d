import { describe, expect, it } from 'vitest';
import {
  describeBan,
  freshUser,
  grantedReservations,
  replicaConfigs,
  startFleet,
  userStats,
} from '../fleet/support/fleet.ts';
import { useSharedRedis } from '../fleet/support/redis-store.ts';

// The fleet's sliding window is anchored at each reservation (Redis TIME before POST /jwt/ is sent),
// the API's at the moment it processes the request. When the first issue of a window reaches the
// server late, an attempt granted one window after that reservation would land inside the server's
// window: the provider therefore counts reservations over windowMs + issueTimeoutMs.
const QUOTA = { limit: 2, windowMs: 5000 };
/** How late the server processes the first POST /jwt/ (a slow network, a queue in front of the API). */
const FIRST_ISSUE_DELAY_MS = 1000;

const env = useSharedRedis({ quota: QUOTA });

/** Waits until `issuedAt` is `ms` in the past (past the 401 spacing before the next revocation). */
async function olderThan(issuedAt: number, ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedAt + ms - Date.now())));
}

describe('quota window alignment with the API', () => {
  it('a fleet whose quota equals the API limit is not banned when an issue reaches the server late', async () => {
    const user = freshUser(env.mock);
    const fleet = env.track(
      await startFleet(
        replicaConfigs(2, {
          baseUrl: env.mock.url,
          ...user,
          redis: { url: env.redisUrl },
          quota: QUOTA,
          traceStore: true,
          provider: { unauthorizedRefreshIntervalMs: 200, issueTimeoutMs: 1500 },
        }),
      ),
    );
    const [first, second] = fleet.replicas as [(typeof fleet.replicas)[0], (typeof fleet.replicas)[0]];

    env.mock.control.queueFaults({ type: 'slow', delayMs: FIRST_ISSUE_DELAY_MS });
    expect((await first.burst(1)).ok).toBe(1);
    // Two revocations force two more refreshes: the second one waits for the window (QUOTA_EXHAUSTED
    // with retryAt) and is then granted by the store.
    for (let refresh = 0; refresh < 2; refresh++) {
      await olderThan(userStats(env.mock, user.username).issueTimes.at(-1)!, 300);
      env.mock.control.revoke({ username: user.username });
      await second.burst(1, 10_000);
    }

    const reservations = fleet.replicas.flatMap((replica) =>
      replica.storeTraces.filter((trace) => trace.op === 'reserveIssue' && trace.granted),
    );
    expect(reservations).toHaveLength(3);
    // The third grant came a full widened window (windowMs + issueTimeoutMs) after the first reservation…
    expect(reservations[2]!.at - reservations[0]!.startedAt).toBeGreaterThanOrEqual(QUOTA.windowMs + 1500);
    expect(
      first.eventsOf('quota-exhausted').length + second.eventsOf('quota-exhausted').length,
    ).toBeGreaterThan(0);
    // …so the server, counting from when it processed the first one, never saw 3 issues in 5 s.
    const { issueTimes } = userStats(env.mock, user.username);
    const why = describeBan(grantedReservations(fleet.replicas), issueTimes, QUOTA);
    expect(env.mock.control.stats().bans.total, why).toBe(0);
    expect(userStats(env.mock, user.username).issues).toBe(3);
  }, 60_000);
});
