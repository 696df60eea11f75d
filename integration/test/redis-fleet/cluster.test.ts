import { type RedisClusterHandle, startRedisCluster } from '@connexease-kit/test-servers';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectColdStartServed, freshUser, replicaConfigs, startFleet } from '../fleet/support/fleet.ts';
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

    await expectColdStartServed(fleet, env.mock, user, tallies, 200);

    // All of the namespace's keys sit on one master (one hash tag), and every one expires.
    const keys = await expectTidyNamespace(client, fleet.namespace, [user.username, user.password]);
    const slots = new Set(await Promise.all(keys.map((key) => client.cluster('KEYSLOT', key.key))));
    expect(slots.size).toBe(1);
  }, 120_000);
});
