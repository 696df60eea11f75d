import { describe, expect, it } from 'vitest';
import { freshUser, replicaConfigs, startFleet, sumTallies, userStats } from '../fleet/support/fleet.ts';
import type { RequestTally } from '../fleet/support/protocol.ts';
import { useSharedRedis } from '../fleet/support/redis-store.ts';
import { expectTidyNamespace } from '../fleet/support/stored-keys.ts';

const env = useSharedRedis();

/** Every failure a replica saw is one of `allowed`. */
function expectOnlyFailures(tally: RequestTally, allowed: readonly string[]): void {
  for (const code of Object.keys(tally.failures)) expect(allowed).toContain(code);
}

describe('fleet-wide blocks', () => {
  it('5a. wrong password: exactly one POST /jwt/ fleet-wide, INVALID_CREDENTIALS or BLOCKED (INVALID_CREDENTIALS) on every replica', async () => {
    const user = freshUser(env.mock);
    const fleet = env.track(
      await startFleet(
        replicaConfigs(8, {
          baseUrl: env.mock.url,
          ...user,
          password: 'not-the-password',
          redis: { url: env.redisUrl },
        }),
      ),
    );

    const first = await fleet.all((replica) => replica.burst(25));
    for (const tally of first) {
      expect(tally.ok).toBe(0);
      expect(tally.failed).toBe(25);
      expectOnlyFailures(tally, ['INVALID_CREDENTIALS', 'BLOCKED:INVALID_CREDENTIALS']);
    }
    expect(sumTallies(first).failures.INVALID_CREDENTIALS).toBeGreaterThan(0);
    // Later calls, anywhere in the fleet, fail fast on the shared block.
    const again = sumTallies(await fleet.all((replica) => replica.burst(5)));
    expect(again.failures).toEqual({ 'BLOCKED:INVALID_CREDENTIALS': 40 });
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 1, issues: 0 });
    expect(env.mock.control.stats().jwtAttempts.byStatus['401']).toBe(1);

    const keys = await expectTidyNamespace(env.redis, fleet.namespace, [
      user.username,
      user.password,
      'not-the-password',
    ]);
    expect(keys.map((key) => key.key.split(':').at(-1))).toContain('block');
  }, 120_000);

  it('5b. banned user: exactly one POST /jwt/, then AGENT_BANNED or BLOCKED until unblock(); after reactivation and one unblock() the fleet recovers', async () => {
    const user = freshUser(env.mock, 'banned');
    const fleet = env.track(
      await startFleet(replicaConfigs(8, { baseUrl: env.mock.url, ...user, redis: { url: env.redisUrl } })),
    );
    const jwt403Before = env.mock.control.stats().jwtAttempts.byStatus['403'] ?? 0;

    const first = await fleet.all((replica) => replica.burst(25));
    for (const tally of first) {
      expect(tally.ok).toBe(0);
      expectOnlyFailures(tally, ['AGENT_BANNED', 'BLOCKED:AGENT_BANNED']);
    }
    expect(sumTallies(first).failures.AGENT_BANNED).toBeGreaterThan(0);
    expect(userStats(env.mock, user.username).attempts).toBe(1);

    // Support reactivates the user. The block stays until someone says so: nothing is sent meanwhile.
    env.mock.control.setStatus(user.username, 'active');
    const stillBlocked = sumTallies(await fleet.all((replica) => replica.burst(5)));
    expect(stillBlocked.failures).toEqual({ 'BLOCKED:AGENT_BANNED': 40 });
    expect(userStats(env.mock, user.username).attempts).toBe(1);
    expect((await fleet.replicas[3]!.status()).block?.code).toBe('AGENT_BANNED');

    // One replica clears the block; the others notice it through the store and recover.
    await fleet.replicas[0]!.unblock();
    const recovered = await fleet.all((replica) => replica.burst(20, 60_000));
    expect(recovered.map((tally) => [tally.ok, tally.failed])).toEqual(Array(8).fill([20, 0]));
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 2, issues: 1 });
    expect((env.mock.control.stats().jwtAttempts.byStatus['403'] ?? 0) - jwt403Before).toBe(1);
    const statuses = await fleet.all((replica) => replica.status());
    expect(statuses.map((status) => status.block)).toEqual(Array(8).fill(null));

    await expectTidyNamespace(env.redis, fleet.namespace, [user.username, user.password]);
  }, 120_000);
});
