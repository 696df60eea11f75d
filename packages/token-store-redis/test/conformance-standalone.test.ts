import { requireSharedRedis, SHARED_REDIS_URL } from '@connexease-kit/test-servers';
import { runTokenStoreConformance } from '@connexease-kit/token-store-conformance';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { createRedisTokenStore, type RedisTokenStore } from '../src/index.ts';
import { loseRedisRecords } from './support/lose-records.ts';

beforeAll(() => requireSharedRedis());

/** Deletes one namespace's keys for the "store that lost its records" tests (never a flush). */
let admin: Redis | undefined;
afterAll(async () => {
  await admin?.quit();
});
function loseRecords(ns: string, _store: RedisTokenStore, what: 'everything' | 'quota'): Promise<void> {
  admin ??= new Redis(SHARED_REDIS_URL);
  return loseRedisRecords(admin, ns, what);
}

/** A long poll, so the wake-up tests prove that pub/sub (not the poll) wakes the waiters. */
const capabilities = {
  clock: 'store',
  notifications: true,
  pollIntervalMs: 60_000,
  multiProcess: true,
} as const;

// RESP2 through a client the test owns: the store must not close it; cleanup does.
const clients = new WeakMap<RedisTokenStore, Redis>();
runTokenStoreConformance<RedisTokenStore>({
  name: 'redis standalone (RESP2, caller-owned client)',
  createStore: () => {
    const redis = new Redis(SHARED_REDIS_URL, { protocol: 2 });
    const store = createRedisTokenStore({ redis, pollIntervalMs: capabilities.pollIntervalMs });
    clients.set(store, redis);
    return store;
  },
  cleanup: async (store) => {
    await clients.get(store)?.quit();
  },
  capabilities,
  inspectTtls: (ns, store) => store.inspectTtls(ns),
  loseRecords,
});

// RESP3 (ioredis 6's default) through a client the store creates from the URL and closes itself.
runTokenStoreConformance<RedisTokenStore>({
  name: 'redis standalone (RESP3, store-owned client from url)',
  createStore: () =>
    createRedisTokenStore({
      url: SHARED_REDIS_URL,
      redisOptions: { protocol: 3 },
      pollIntervalMs: capabilities.pollIntervalMs,
    }),
  capabilities,
  inspectTtls: (ns, store) => store.inspectTtls(ns),
  loseRecords,
});
