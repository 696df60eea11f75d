import { createEncryptedTokenStore } from '@connexease-kit/auth-core';
import { requireSharedRedis, SHARED_REDIS_URL } from '@connexease-kit/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore, redisTokenStoreKeys } from '../src/index.ts';
import { exerciseEveryOperation } from './support/exercise.ts';

/** Every key under `pattern`, with its value as text and its PTTL. */
async function dump(redis: Redis, pattern: string): Promise<Map<string, { value: string; pttl: number }>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const entries = new Map<string, { value: string; pttl: number }>();
  for (const key of keys) {
    const type = await redis.type(key);
    const value =
      type === 'string'
        ? ((await redis.get(key)) ?? '')
        : type === 'hash'
          ? JSON.stringify(await redis.hgetall(key))
          : JSON.stringify(await redis.zrange(key, '0', '-1', 'WITHSCORES'));
    entries.set(key, { value, pttl: await redis.pttl(key) });
  }
  return entries;
}

describe('key layout and expiry', () => {
  let redis: Redis;
  beforeAll(async () => {
    await requireSharedRedis();
    redis = new Redis(SHARED_REDIS_URL);
  });
  afterAll(() => redis?.disconnect());

  it('redisTokenStoreKeys puts every key and the channel of a namespace under one hash tag', () => {
    expect(redisTokenStoreKeys('abc123')).toEqual({
      token: 'cxk:{abc123}:token',
      lease: 'cxk:{abc123}:lease',
      fence: 'cxk:{abc123}:fence',
      quota: 'cxk:{abc123}:quota',
      epoch: 'cxk:{abc123}:epoch',
      block: 'cxk:{abc123}:block',
      channel: 'cxk:{abc123}:changed',
    });
    expect(redisTokenStoreKeys('abc123', 'tenant-a').token).toBe('tenant-a:{abc123}:token');
  });

  it('a full lifecycle leaves exactly the six documented keys, each with a TTL', async () => {
    const keyPrefix = `cxk-layout-${crypto.randomUUID()}`;
    const store = createRedisTokenStore({ redis, keyPrefix });
    const ns = 'ns-hash-1';
    try {
      await exerciseEveryOperation(store, ns);
      const keys = await dump(redis, `${keyPrefix}:*`);

      const kinds = ['token', 'lease', 'fence', 'quota', 'epoch', 'block'];
      expect([...keys.keys()].sort()).toEqual(kinds.map((kind) => `${keyPrefix}:{${ns}}:${kind}`).sort());
      for (const [key, { pttl }] of keys) expect(pttl, `PTTL of ${key}`).toBeGreaterThan(0);
      expect(await store.inspectTtls(ns)).toEqual(
        kinds.map((kind) => ({
          key: kind,
          redisKey: `${keyPrefix}:{${ns}}:${kind}`,
          ttlMs: expect.any(Number),
        })),
      );
    } finally {
      await store.close();
    }
  });

  it('documented TTLs: token until expiresAt, lease ttl, fence and quota marker 30 days, quota window + margin, block 400 days', async () => {
    const keyPrefix = `cxk-ttl-${crypto.randomUUID()}`;
    const store = createRedisTokenStore({ redis, keyPrefix });
    const ns = 'ns-ttl';
    const day = 24 * 60 * 60 * 1000;
    try {
      const lease = await store.acquireLease(ns, { ttlMs: 20_000 });
      const now = Date.now();
      await store.writeToken(ns, lease!, {
        value: 'eyJ.a.b',
        issuedAt: now,
        expiresAt: now + 3_600_000,
        fence: 1,
      });
      await store.reserveIssue(ns, { id: 'r', limit: 5, windowMs: 2 * day, lease: lease! });
      await store.writeBlock(ns, { code: 'AGENT_BANNED', status: 403, reason: 'banned', createdAt: now });
      const ttls = Object.fromEntries((await store.inspectTtls(ns)).map(({ key, ttlMs }) => [key, ttlMs]));

      expect(ttls.token).toBeGreaterThan(3_500_000);
      expect(ttls.token).toBeLessThanOrEqual(3_600_000);
      expect(ttls.lease).toBeGreaterThan(10_000);
      expect(ttls.lease).toBeLessThanOrEqual(20_000);
      expect(ttls.fence).toBeGreaterThan(29 * day);
      expect(ttls.fence).toBeLessThanOrEqual(30 * day);
      expect(ttls.quota).toBeGreaterThan(2 * day);
      expect(ttls.quota).toBeLessThanOrEqual(2 * day + 60_000);
      expect(ttls.epoch).toBeGreaterThan(29 * day);
      expect(ttls.epoch).toBeLessThanOrEqual(30 * day);
      expect(ttls.block).toBeGreaterThan(399 * day);
      expect(ttls.block).toBeLessThanOrEqual(400 * day);
    } finally {
      await store.close();
    }
  });

  it('with createEncryptedTokenStore no token value is stored in clear', async () => {
    const keyPrefix = `cxk-enc-${crypto.randomUUID()}`;
    const inner = createRedisTokenStore({ redis, keyPrefix });
    const store = createEncryptedTokenStore(inner, { key: new Uint8Array(32).fill(7) });
    const ns = 'ns-encrypted';
    try {
      const token = await exerciseEveryOperation(store, ns);
      const values = [...(await dump(redis, `${keyPrefix}:*`)).values()].map(({ value }) => value);

      expect(values.length).toBe(6);
      for (const value of values) expect(value).not.toContain(token.value);
      expect(await store.readToken(ns)).toEqual(token);
      expect(await store.discardToken(ns, token.value)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('respects a client-level ioredis keyPrefix for keys and wake-up channels alike', async () => {
    const prefixed = new Redis(SHARED_REDIS_URL, { keyPrefix: `app-${crypto.randomUUID()}:` });
    const store = createRedisTokenStore({ redis: prefixed, pollIntervalMs: 600_000 });
    const ns = 'ns-prefixed';
    try {
      const lease = await store.acquireLease(ns, { ttlMs: 30_000 });
      // Neither the poll nor the wait's own timeout can end this wait within the test's timeout:
      // only the pub/sub message on the prefixed channel can.
      const waiting = store.waitForToken(ns, { known: null, timeoutMs: 600_000 });
      const now = Date.now();
      const record = { value: 'eyJ.p.q', issuedAt: now, expiresAt: now + 60_000, fence: lease!.fence };
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await store.writeToken(ns, lease!, record)).toBe(true);

      expect(await waiting).toEqual(record);
      expect(await redis.exists(`${prefixed.options.keyPrefix}cxk:{${ns}}:token`)).toBe(1);
    } finally {
      await store.close();
      prefixed.disconnect();
    }
  });
});
