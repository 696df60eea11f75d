import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshUser,
  moreApiCalls,
  replicaConfigs,
  startFleet,
  sumTallies,
  userStats,
} from '../fleet/support/fleet.ts';
import { useSharedRedis } from '../fleet/support/redis-store.ts';
import { expectTidyNamespace } from '../fleet/support/stored-keys.ts';

const env = useSharedRedis();

// A Redis of this file alone: SCRIPT FLUSH on the shared one would pull the scripts from under every
// other test file running at the time. (The store stopped and started again under a fleet, on Redis
// and PostgreSQL alike, is ../fleet/outage.*.test.ts.)
let redis: PrivateRedis;
let admin: Redis;
beforeAll(async () => {
  redis = await startPrivateRedis();
  admin = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  admin.on('error', () => {});
});
afterAll(async () => {
  admin?.disconnect();
  await redis?.close();
});

/** How many EVAL commands (full script bodies) the private Redis has run. */
async function evalCalls(): Promise<number> {
  const info = await admin.info('commandstats');
  return Number(/cmdstat_eval:calls=(\d+)/.exec(info)?.[1] ?? 0);
}

describe('fleet through a Redis that forgets its scripts', () => {
  it('7b. SCRIPT FLUSH mid-run: requests and a forced refresh (revocation) still work, with one issue', async () => {
    const user = freshUser(env.mock);
    const fleet = env.track(
      await startFleet(
        replicaConfigs(4, {
          baseUrl: env.mock.url,
          ...user,
          redis: { url: redis.url },
        }),
      ),
    );
    await fleet.all((replica) => replica.burst(1));
    const [issuedAt] = userStats(env.mock, user.username).issueTimes;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, issuedAt! + 1000 - Date.now())));
    for (const replica of fleet.replicas) replica.start({ op: 'busy', id: 'flush', workers: 2, pauseMs: 20 });
    await moreApiCalls(env.mock, 100);

    if (admin.status !== 'ready') await admin.connect().catch(() => {});
    const evalsBefore = await evalCalls();
    expect(await admin.script('FLUSH')).toBe('OK');
    // Every script the fleet needs next is gone from Redis: the refresh must load them again.
    expect(env.mock.control.revoke({ username: user.username })).toBe(1);
    await env.mock.control.waitFor((stats) => (stats.issues.byUser[user.username] ?? 0) >= 2, 60_000);
    await moreApiCalls(env.mock, 200);
    const tallies = await fleet.all((replica) => replica.stop('flush'));

    expect(sumTallies(tallies).failures).toEqual({});
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 2, issues: 2 });
    // The scripts really were gone: the fleet sent them again (EVAL after NOSCRIPT).
    expect(await evalCalls()).toBeGreaterThan(evalsBefore);
    const statuses = await fleet.all((replica) => replica.status());
    expect(statuses.map((status) => status.quota?.used)).toEqual([2, 2, 2, 2]);
    await expectTidyNamespace(admin, fleet.namespace, [user.username, user.password]);
  }, 120_000);
});
