import { type RedisSentinelHandle, startRedisSentinel } from '@connexease-kit/test-servers';
import { runTokenStoreConformance } from '@connexease-kit/token-store-conformance';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore, type RedisTokenStore } from '../src/index.ts';
import { EXIT_DEADLINE_MS, runShutdown } from './support/shutdown-process.ts';

let topology: RedisSentinelHandle | undefined;

beforeAll(async () => {
  // Nothing here fails over on purpose: a long down-after keeps a master that a loaded machine
  // leaves silent for a few seconds from being failed over mid-suite.
  topology = await startRedisSentinel({ downAfterMs: 30_000 });
}, 60_000);

afterAll(async () => {
  await topology?.close();
});

function sentinelOptions(): { sentinels: Array<{ host: string; port: number }>; name: string } {
  if (topology === undefined)
    throw new Error('the Sentinel topology did not start (see the beforeAll failure)');
  return { sentinels: [...topology.sentinels], name: topology.name };
}

const clients = new WeakMap<RedisTokenStore, Redis>();

// A real master + replica + three Sentinels, reached the way the README shows: ioredis's Sentinel client.
runTokenStoreConformance<RedisTokenStore>({
  name: 'redis sentinel (1 master, 1 replica, 3 sentinels)',
  createStore: () => {
    const redis = new Redis(sentinelOptions());
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

describe('a process on a Sentinel client', () => {
  it.each([['caller-quit'], ['caller-all']] as const)(
    'exits on its own after its shutdown (%s): the store leaves no Sentinel or subscriber connection open',
    async (mode) => {
      const outcome = await runShutdown({ sentinel: sentinelOptions(), mode });
      expect(outcome.output).toContain('closed');
      expect(outcome, `the process was still alive ${EXIT_DEADLINE_MS} ms after its shutdown`).toMatchObject({
        exited: true,
        code: 0,
      });
    },
    90_000,
  );
});
