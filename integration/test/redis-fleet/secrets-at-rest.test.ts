import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { freshUser, replicaConfigs, startFleet, sumTallies, userStats } from '../fleet/support/fleet.ts';
import { useSharedRedis } from '../fleet/support/redis-store.ts';
import { expectTidyNamespace } from '../fleet/support/stored-keys.ts';

const env = useSharedRedis();

describe('what a fleet leaves in Redis', () => {
  it('10. with encryption at rest, every key expires and no key or value holds the username, the password or the token in clear', async () => {
    const user = freshUser(env.mock);
    const fleet = env.track(
      await startFleet(
        replicaConfigs(8, {
          baseUrl: env.mock.url,
          ...user,
          redis: { url: env.redisUrl },
          encryptionKey: randomBytes(32).toString('base64'),
        }),
      ),
    );
    const tallies = await fleet.all((replica) => replica.burst(50));
    expect(sumTallies(tallies).failures).toEqual({});
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 1, issues: 1 });

    const token = (await fleet.replicas[5]!.authorization()).replace(/^JWT /, '');
    const keys = await expectTidyNamespace(env.redis, fleet.namespace, [user.username, user.password, token]);
    // The stored value is the AES-GCM envelope (cold-start.test.ts shows the same search finds a plain token).
    expect(keys.find((key) => key.key.endsWith(':token'))?.contents).toContain('cxk1.');

    // The password changes on the server and the token is revoked: the refresh gets 401 and writes a
    // fleet-wide block, which holds a fingerprint of the rejected password, never the password.
    env.mock.control.setPassword(user.username, `${user.password}-rotated`);
    env.mock.control.revoke({ username: user.username });
    const refused = sumTallies(await fleet.all((replica) => replica.burst(5)));
    expect(refused.ok).toBe(0);
    expect(refused.failures.INVALID_CREDENTIALS).toBeGreaterThan(0);
    for (const code of Object.keys(refused.failures)) {
      expect(['INVALID_CREDENTIALS', 'BLOCKED:INVALID_CREDENTIALS']).toContain(code);
    }
    expect(userStats(env.mock, user.username).attempts).toBe(2);

    const after = await expectTidyNamespace(env.redis, fleet.namespace, [
      user.username,
      user.password,
      `${user.password}-rotated`,
      token,
    ]);
    expect(after.map((key) => key.key.split(':').at(-1))).toContain('block');
  }, 120_000);
});
