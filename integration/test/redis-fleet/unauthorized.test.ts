/**
 * Guarantee 12 across real replica processes, the shared Redis and the mock API over HTTP: a 401 neither
 * burns the quota nor starves the fleet, and blocks stop issuing, never the adoption of a stored token.
 *
 * Measured before the fix (main at 21c647f, rejectedTokenMinAgeMs 500 ms in case 3, 0 in case 5):
 * case 3, 25 POST /jwt/ (the whole quota) and 380 calls to the working endpoint failed QUOTA_EXHAUSTED;
 * case 4, 1 POST /jwt/ and 7,739 calls failed TOKEN_REJECTED for 30 s (100 served); case 5, all 15 calls
 * of the old-password replicas failed BLOCKED. After: 7, 2 and 3 POST /jwt/, and no call failed.
 */
import { describe, expect, it } from 'vitest';
import { freshUser, replicaConfigs, startFleet, sumTallies, userStats } from '../fleet/support/fleet.ts';
import type { ReplicaConfig } from '../fleet/support/protocol.ts';
import { useSharedRedis } from '../fleet/support/redis-store.ts';

const env = useSharedRedis();

/** The endpoint that answers 401 to the test's user for its own reasons (a missing permission). */
const REFUSING_PATH = 'reports/';
const RUN_MS = 20_000;

describe('fleet: an endpoint that refuses the API user (case 3)', () => {
  it('4 replicas call it for 20 s beside a working endpoint: a bounded number of issues, every other call served, no QUOTA_EXHAUSTED', async () => {
    const user = freshUser(env.mock);
    env.mock.control.respond(`/${REFUSING_PATH}`, {
      status: 401,
      body: { detail: 'You do not have permission to perform this action.' },
      username: user.username,
      times: Number.POSITIVE_INFINITY,
    });
    const fleet = env.track(
      await startFleet(
        replicaConfigs(4, {
          baseUrl: env.mock.url,
          ...user,
          redis: { url: env.redisUrl },
          // A short first spacing so that its doublings show within the run: 0.5, 1, 2, 4, 8 s.
          provider: { unauthorizedRefreshIntervalMs: 500 },
        }),
      ),
    );
    expect(sumTallies(await fleet.all((replica) => replica.burst(1))).ok).toBe(4);

    for (const replica of fleet.replicas) {
      replica.start({ op: 'busy', id: 'refused', workers: 1, pauseMs: 50, path: REFUSING_PATH });
      replica.start({ op: 'busy', id: 'working', workers: 2, pauseMs: 20 });
    }
    await new Promise((resolve) => setTimeout(resolve, RUN_MS));
    const refused = sumTallies(await fleet.all((replica) => replica.stop('refused')));
    const working = await fleet.all((replica) => replica.stop('working'));

    // The token kept serving every endpoint that accepts the user, on every replica.
    expect(sumTallies(working).failures).toEqual({});
    for (const tally of working) expect(tally.ok).toBeGreaterThan(0);
    // The refusing endpoint got the cause, never TOKEN_REJECTED or QUOTA_EXHAUSTED.
    expect(refused.ok).toBe(0);
    expect(Object.keys(refused.failures)).toEqual(['ENDPOINT_REFUSED']);
    // 1 issue at start, then 401-driven refreshes spaced 0.5, 1, 2, 4, 8 s (at most 6 in 20 s however
    // slow the machine: slowness only spaces them more). Before the fix: one every 0.5 s, and the quota spent.
    const stats = userStats(env.mock, user.username);
    expect(stats.attempts).toBe(stats.issues);
    expect(stats.issues).toBeGreaterThanOrEqual(3);
    expect(stats.issues).toBeLessThanOrEqual(7);
    expect(env.mock.control.stats().bans.total).toBe(0);
    const [status] = await Promise.all([fleet.replicas[0]!.status()]);
    expect(status?.quota?.used).toBe(stats.issues);
    console.info(
      `case 3: POST /jwt/ ${stats.attempts} (limit ${status?.quota?.limit}); working endpoint ` +
        `${sumTallies(working).ok} served, 0 failed; refusing endpoint ${refused.failed} ENDPOINT_REFUSED`,
    );
  }, 90_000);
});

describe('fleet: a token revoked right after it was issued (case 4)', () => {
  it('6 busy replicas, default settings, revocation seconds after the issue: one refresh, no caller fails', async () => {
    const user = freshUser(env.mock);
    const fleet = env.track(
      await startFleet(replicaConfigs(6, { baseUrl: env.mock.url, ...user, redis: { url: env.redisUrl } })),
    );
    await fleet.all((replica) => replica.burst(1));
    for (const replica of fleet.replicas)
      replica.start({ op: 'busy', id: 'revocation', workers: 3, pauseMs: 10 });
    // Counts are relative: the mock serves every test of this file.
    const status = (code: string) => (stats: ReturnType<typeof env.mock.control.stats>) =>
      stats.apiCalls.byStatus[code] ?? 0;
    const okBefore = status('200')(env.mock.control.stats());
    await env.mock.control.waitFor((stats) => status('200')(stats) >= okBefore + 100, 30_000);
    // A password rotation right after a deploy: every token of the user is revoked, well inside a minute.
    const rejectedBefore = status('401')(env.mock.control.stats());
    expect(env.mock.control.revoke({ username: user.username })).toBe(1);
    const rejected = await env.mock.control.waitFor(
      (stats) => status('401')(stats) >= rejectedBefore + 1,
      30_000,
    );
    const okAtRevocation = status('200')(rejected);
    await env.mock.control.waitFor((stats) => status('200')(stats) >= okAtRevocation + 600, 30_000);
    const total = sumTallies(await fleet.all((replica) => replica.stop('revocation')));

    expect(total.failures).toEqual({});
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 2, issues: 2 });
    console.info(
      `case 4: POST /jwt/ 2 (limit 25); ${total.ok} served, ${total.failed} failed, ` +
        `${status('401')(env.mock.control.stats()) - rejectedBefore} calls got a 401 and were resent`,
    );
  }, 90_000);
});

describe('fleet: blocks stop issuing, not adopting (case 5)', () => {
  it('during a password rotation, old-password replicas use the token a new-password replica issued despite the 401 block', async () => {
    const user = freshUser(env.mock);
    const base: Omit<ReplicaConfig, 'name'> = {
      baseUrl: env.mock.url,
      ...user,
      redis: { url: env.redisUrl },
    };
    const oldFleet = env.track(await startFleet(replicaConfigs(2, base, (i) => ({ name: `old-${i}` }))));
    expect(sumTallies(await oldFleet.all((replica) => replica.burst(2))).ok).toBe(4);

    // The password is rotated on the server (tokens revoked); the old replicas still have the old one.
    const rotatedPassword = `${user.password}-rotated`;
    env.mock.control.setPassword(user.username, rotatedPassword);
    env.mock.control.revoke({ username: user.username });
    const refused = sumTallies(await oldFleet.all((replica) => replica.burst(3)));
    expect(refused.ok).toBe(0);
    expect(refused.failures.INVALID_CREDENTIALS).toBeGreaterThan(0);

    // A replica deployed with the new password issues at once (the block is the old password's).
    const newFleet = env.track(await startFleet([{ ...base, name: 'new', password: rotatedPassword }]));
    expect((await newFleet.replicas[0]!.burst(3)).ok).toBe(3);
    // Old-password replicas, running and freshly started, adopt that token: the block stops issuing only.
    const restarted = env.track(await startFleet([{ ...base, name: 'old-restarted' }]));
    const after = sumTallies(
      await Promise.all([...oldFleet.replicas, ...restarted.replicas].map((replica) => replica.burst(5))),
    );
    expect(after.failures).toEqual({});
    expect(after.ok).toBe(15);
    const stats = userStats(env.mock, user.username);
    expect(stats).toMatchObject({ attempts: 3, issues: 2 });
    expect((await restarted.replicas[0]!.status()).block).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      appliesToCurrentCredentials: true,
    });
    console.info(
      `case 5: POST /jwt/ ${stats.attempts} (limit 25); after the new token: ${after.ok} served, ${after.failed} failed`,
    );
  }, 90_000);
});
