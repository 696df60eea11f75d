import { type PrivatePostgres, startPrivatePostgres } from '@connexease-kit/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshUser, replicaConfigs, startFleet, sumTallies, userStats } from '../fleet/support/fleet.ts';
import { ReplicaProcess } from '../fleet/support/replica-process.ts';
import {
  expectTidyRows,
  migrateSchema,
  randomSchema,
  usePostgresFleetEnvironment,
} from './support/environment.ts';

const env = usePostgresFleetEnvironment();

/** How long PostgreSQL stays down. */
const OUTAGE_MS = 8000;

// A PostgreSQL of this file alone (initdb in a temporary directory, on a free port), stopped and started
// again on the same port: the shared server is never touched.
let server: PrivatePostgres;
const schema = randomSchema();
beforeAll(async () => {
  server = await startPrivatePostgres();
  await migrateSchema(server.url, schema);
}, 60_000);
afterAll(async () => {
  await server?.destroy();
});

/** Waits until the mock has answered `more` further API calls with 200. */
async function moreCalls(more: number): Promise<void> {
  const start = env.mock.control.stats().apiCalls.byStatus['200'] ?? 0;
  await env.mock.control.waitFor((stats) => (stats.apiCalls.byStatus['200'] ?? 0) >= start + more, 60_000);
}

describe('fleet through a PostgreSQL restart', () => {
  it('5. PostgreSQL stopped under load and started again: the held token keeps serving, nothing is issued while it is down (fail closed), the fleet recovers without overshooting', async () => {
    const user = freshUser(env.mock);
    const base = {
      baseUrl: env.mock.url,
      ...user,
      redis: { postgres: server.url, schema },
    };
    const fleet = env.track(await startFleet(replicaConfigs(8, base)));
    await fleet.all((replica) => replica.burst(1));
    expect(userStats(env.mock, user.username).attempts).toBe(1);

    for (const replica of fleet.replicas)
      replica.start({ op: 'busy', id: 'outage', workers: 2, pauseMs: 20 });
    await moreCalls(200);

    await server.stop('fast');
    const attemptsAtStop = userStats(env.mock, user.username).attempts;
    // A replica that starts during the outage has no token and may not get one: it fails closed.
    const late = env.track(new ReplicaProcess({ ...base, name: 'started-during-outage' }));
    await late.ready;
    const lateTally = await late.burst(5);
    expect(lateTally.failures).toEqual({ STORE_UNAVAILABLE: 5 });
    // The busy replicas keep serving while PostgreSQL stays down.
    await moreCalls(200);
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    expect(userStats(env.mock, user.username).attempts).toBe(attemptsAtStop);

    await server.start();
    await moreCalls(200);
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

    await expectTidyRows(fleet.namespace, schema, [user.username, user.password], server.url);
  }, 180_000);
});
