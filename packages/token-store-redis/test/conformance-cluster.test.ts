import { runTokenStoreConformance } from '@connexease-kit/token-store-conformance';
import { Cluster } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisTokenStore, type RedisTokenStore } from '../src/index.ts';
import { type RedisClusterHandle, startRedisCluster } from './support/redis-cluster.ts';

let cluster: RedisClusterHandle | undefined;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3 });
}, 60_000);

afterAll(async () => {
  await cluster?.close();
});

function clusterNodes(): RedisClusterHandle['nodes'] {
  if (cluster === undefined) throw new Error('the Redis Cluster did not start (see the beforeAll failure)');
  return cluster.nodes;
}

const clients = new WeakMap<RedisTokenStore, Cluster>();

// A real 3-master Cluster: every namespace's keys share one hash tag, scripts reach them through KEYS
// only, and wake-ups travel over sharded pub/sub on the namespace's slot.
runTokenStoreConformance<RedisTokenStore>({
  name: 'redis cluster (3 masters, RESP3)',
  createStore: () => {
    const redis = new Cluster([...clusterNodes()], { redisOptions: { protocol: 3 } });
    const store = createRedisTokenStore({ redis, pollIntervalMs: 60_000 });
    clients.set(store, redis);
    return store;
  },
  cleanup: async (store) => {
    await clients.get(store)?.quit();
  },
  capabilities: { clock: 'store', notifications: true, pollIntervalMs: 60_000, multiProcess: true },
  inspectTtls: (ns, store) => store.inspectTtls(ns),
});
