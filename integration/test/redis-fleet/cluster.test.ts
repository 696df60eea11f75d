import { type RedisClusterHandle, startRedisCluster } from '@connexease-kit/test-servers';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectOneIssuerOthersReuse,
  freshUser,
  replicaConfigs,
  startFleet,
  sumTallies,
  userStats,
} from '../fleet/support/fleet.ts';
import { useSharedRedis } from '../fleet/support/redis-store.ts';
import { expectTidyNamespace } from '../fleet/support/stored-keys.ts';

const env = useSharedRedis();

let cluster: RedisClusterHandle;
let client: Cluster;
beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
  client = new Cluster([...cluster.nodes]);
  client.on('error', () => {});
}, 60_000);
afterAll(async () => {
  client?.disconnect();
  await cluster?.close();
});

describe('fleet on Redis Cluster', () => {
  it('9. 8 replicas × 200 concurrent requests from a cold start against a 3-master Redis Cluster: exactly one POST /jwt/', async () => {
    const user = freshUser(env.mock);
    // Each replica builds `new Cluster(nodes)` and passes it to the store as `{ redis }`.
    const fleet = env.track(
      await startFleet(
        replicaConfigs(8, {
          baseUrl: env.mock.url,
          ...user,
          redis: { cluster: cluster.nodes },
          traceStore: true,
        }),
      ),
    );

    const tallies = await fleet.all((replica) => replica.burst(200));

    expect(sumTallies(tallies).failures).toEqual({});
    expect(tallies.map((tally) => tally.ok)).toEqual(Array(8).fill(200));
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 1, issues: 1 });
    expectOneIssuerOthersReuse(fleet);
    const statuses = await fleet.all((replica) => replica.status());
    expect(statuses.map((status) => status.quota?.used)).toEqual(Array(8).fill(1));

    // All of the namespace's keys sit on one master (one hash tag), and every one expires.
    const keys = await expectTidyNamespace(client, fleet.namespace, [user.username, user.password]);
    const slots = new Set(await Promise.all(keys.map((key) => client.cluster('KEYSLOT', key.key))));
    expect(slots.size).toBe(1);
  }, 120_000);
});
