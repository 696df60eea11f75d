import type { AuthEvent } from '@connexease-kit/auth-core';
import { type RedisClusterHandle, startRedisCluster } from '@connexease-kit/test-servers';
import { eventually, runTokenStoreConformance } from '@connexease-kit/token-store-conformance';
import { Cluster, Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createRedisTokenStore,
  type RedisTokenStore,
  type RedisTokenStoreClientOptions,
  redisTokenStoreKeys,
} from '../src/index.ts';
import { exerciseEveryOperation, sampleRecord } from './support/exercise.ts';
import { loseRedisRecords } from './support/lose-records.ts';

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
  loseRecords: (ns, store, what) => loseRedisRecords(clients.get(store)!, ns, what),
});

describe('redis cluster specifics', () => {
  const opened: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const close of opened.splice(0)) await close();
  });

  function newStore(options: Partial<RedisTokenStoreClientOptions> = {}): RedisTokenStore {
    const redis = new Cluster([...clusterNodes()], { redisOptions: { protocol: 3 } });
    const store = createRedisTokenStore({ redis, ...options });
    opened.push(async () => {
      await store.close();
      await redis.quit();
    });
    return store;
  }

  function admin(port: number): Redis {
    const node = new Redis({ host: '127.0.0.1', port, protocol: 2 });
    opened.push(async () => node.quit());
    return node;
  }

  it('keeps every key and the channel of a namespace on one slot', async () => {
    const store = newStore();
    const ns = `slot-${crypto.randomUUID()}`;
    await exerciseEveryOperation(store, ns);
    const node = admin(clusterNodes()[0]!.port);
    const names = Object.values(redisTokenStoreKeys(ns));
    const slots = await Promise.all(names.map((name) => node.cluster('KEYSLOT', name)));

    expect(new Set(slots).size).toBe(1);
    expect((await store.inspectTtls(ns)).map(({ key }) => key)).toEqual([
      'token',
      'lease',
      'fence',
      'quota',
      'epoch',
      'block',
    ]);
  });

  it('wakes waiters of namespaces on every shard over sharded pub/sub', async () => {
    const waiter = newStore({ pollIntervalMs: 600_000 });
    const writer = newStore();
    const namespaces = Array.from({ length: 12 }, () => `shard-${crypto.randomUUID()}`);
    const admins = clusterNodes().map(({ port }) => admin(port));
    const ranges = await admins[0]!.cluster('SLOTS');
    const ownerPorts = await Promise.all(
      namespaces.map(async (ns) => {
        const slot = (await admins[0]!.cluster('KEYSLOT', redisTokenStoreKeys(ns).token)) as number;
        return ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1];
      }),
    );
    expect(new Set(ownerPorts).size, 'the namespaces live on every master').toBe(clusterNodes().length);

    // Only a message can end these waits within the test's timeout: no poll, no wait timeout.
    const waits = namespaces.map((ns) => waiter.waitForToken(ns, { known: null, timeoutMs: 600_000 }));
    const subscribers = async (): Promise<number[]> => {
      const counts = await Promise.all(
        admins.map(async (node) => {
          const reply = (await node.pubsub(
            'SHARDNUMSUB',
            ...namespaces.map((ns) => redisTokenStoreKeys(ns).channel),
          )) as unknown[];
          return namespaces.map((_, i) => Number(reply[i * 2 + 1]));
        }),
      );
      return namespaces.map((_, i) => counts.reduce((sum, perNode) => sum + perNode[i]!, 0));
    };
    await eventually(subscribers, (counts) => counts.every((count) => count === 1), {
      timeoutMs: 10_000,
      description: 'every namespace channel has its one sharded subscription',
    });
    const records = await Promise.all(
      namespaces.map(async (ns) => {
        const lease = await writer.acquireLease(ns, { ttlMs: 30_000 });
        const record = sampleRecord(lease!.fence);
        expect(await writer.writeToken(ns, lease!, record)).toBe(true);
        return record;
      }),
    );

    expect(await Promise.all(waits)).toEqual(records);
  }, 30_000);

  it('every operation survives SCRIPT FLUSH on every master', async () => {
    const store = newStore();
    await exerciseEveryOperation(store, `flush-warm-${crypto.randomUUID()}`);
    await Promise.all(clusterNodes().map(({ port }) => admin(port).script('FLUSH')));

    for (let i = 0; i < 6; i++) await exerciseEveryOperation(store, `flush-${i}-${crypto.randomUUID()}`);
  });

  it('warns once when any master may evict keys', async () => {
    const evicting = admin(clusterNodes()[1]!.port);
    await evicting.config('SET', 'maxmemory-policy', 'allkeys-lfu');
    try {
      const events: AuthEvent[] = [];
      const store = newStore({ onEvent: (event) => events.push(event) });
      await eventually(
        async () => events.length,
        (count) => count > 0,
        {
          timeoutMs: 10_000,
          description: 'the warning arrived',
        },
      );
      await exerciseEveryOperation(store, `evict-${crypto.randomUUID()}`);

      expect(events).toEqual([{ type: 'warning', message: expect.stringContaining('allkeys-lfu') }]);
    } finally {
      await evicting.config('SET', 'maxmemory-policy', 'noeviction');
    }
  });
});
