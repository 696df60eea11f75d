import { postgresQuery } from '@connexease-kit/test-servers';
import { describe, expect, it } from 'vitest';
import { freshUser, replicaConfigs, startFleet, sumTallies, userStats } from '../fleet/support/fleet.ts';
import type { ReplicaConfig } from '../fleet/support/protocol.ts';
import { ReplicaProcess } from '../fleet/support/replica-process.ts';
import { expectTidyRows, namespaceRows, usePostgresFleetEnvironment } from './support/environment.ts';

// Guarantee 10 on PostgreSQL: the store's schema is dropped under a fleet that has spent its budget
// (an operator's mistake, a restore of an old dump without these tables). The mock bans the user on
// the request that would exceed `limit` issues in `windowMs`, and the fleet is given exactly that
// limit: one forgotten attempt is a ban.
const env = usePostgresFleetEnvironment();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('the database forgets (guarantee 10)', () => {
  it('7. the fleet spends its budget, the whole schema is dropped; the store re-creates it, live replicas restore the quota and the token, a replica started afterwards adopts it: no ban, no attempt past the limit', async () => {
    const quota = { limit: 5, windowMs: 60_000 };
    env.mock.control.configure({ quota, tokenLifetimeSeconds: 86_400 });
    const user = freshUser(env.mock);
    const base: Omit<ReplicaConfig, 'name'> = {
      baseUrl: env.mock.url,
      ...user,
      redis: env.store,
      quota,
      store: { commandTimeoutMs: 2000 },
      provider: {
        leaseTtlMs: 1000,
        storeCheckIntervalMs: 500,
        issueTimeoutMs: 5000,
        retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 500 },
      },
    };
    const fleet = env.track(await startFleet(replicaConfigs(3, base)));

    // Four attempts are issued by the API but their answers are lost; the fifth brings the token.
    env.mock.control.queueFaults(
      ...Array.from({ length: 4 }, () => ({ type: 'reset' as const, issue: true })),
    );
    const spent = await fleet.all((replica) => replica.burst(2, 60_000));
    expect(sumTallies(spent)).toMatchObject({ ok: 6, failed: 0 });
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 5, issues: 5 });

    await postgresQuery(`DROP SCHEMA ${env.schema} CASCADE`);
    // The replicas' next store calls fail once (STORE_UNAVAILABLE), then re-create the tables; their
    // store check notices the lost record and puts back the five attempts and the token.
    for (let deadline = Date.now() + 30_000; ; ) {
      const rows = await namespaceRows(fleet.namespace, env.schema).catch(() => []);
      const entries = rows.filter((row) => row.table === 'quota').length;
      if (entries === 5 && rows.some((row) => row.table === 'tokens')) break;
      if (Date.now() > deadline) throw new Error('the live replicas did not restore the dropped schema');
      await sleep(200);
    }
    expect(fleet.replicas.flatMap((replica) => replica.eventsOf('store-reset')).length).toBeGreaterThan(0);

    const late = env.track(new ReplicaProcess({ ...base, name: 'deployed-after-the-drop' }));
    await late.ready;
    const served = await late.burst(5, 30_000);
    const everyone = await fleet.all((replica) => replica.burst(5, 30_000));
    const mock = userStats(env.mock, user.username);
    console.info(
      `[postgres 7] POST /jwt/ attempts ${mock.attempts} (issues ${mock.issues}) against a limit of ${quota.limit}; ` +
        `requests served ${served.ok + sumTallies(everyone).ok}`,
    );

    expect([served.ok, served.failed]).toEqual([5, 0]);
    expect(sumTallies(everyone)).toMatchObject({ ok: 15, failed: 0 });
    expect(env.mock.control.stats().bans.users).not.toContain(user.username);
    expect(mock).toMatchObject({ attempts: 5, issues: 5 });
    expect((await late.status()).quota).toMatchObject({ used: 5, remaining: 0 });
    await expectTidyRows(fleet.namespace, env.schema, [user.username, user.password]);
  }, 180_000);
});
