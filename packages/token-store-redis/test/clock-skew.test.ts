import { requireSharedRedis, SHARED_REDIS_URL } from '@connexease-kit/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore, type RedisTokenStore } from '../src/index.ts';

const TEN_MINUTES = 10 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Redis `TIME` in epoch ms. */
async function redisNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

describe('replicas whose clocks are off by ±10 minutes', () => {
  let redis: Redis;
  let ahead: RedisTokenStore;
  let behind: RedisTokenStore;

  beforeAll(async () => {
    await requireSharedRedis();
    redis = new Redis(SHARED_REDIS_URL);
    ahead = createRedisTokenStore({ redis, clock: { now: () => Date.now() + TEN_MINUTES } });
    behind = createRedisTokenStore({ redis, clock: { now: () => Date.now() - TEN_MINUTES } });
  });

  afterAll(async () => {
    await ahead?.close();
    await behind?.close();
    redis?.disconnect();
  });

  it('share one quota window on the Redis clock: exactly `limit` grants, times and retryAt from TIME', async () => {
    const ns = `skew-quota-${crypto.randomUUID()}`;
    const lease = (await ahead.acquireLease(ns, { ttlMs: 60_000 }))!;
    const before = await redisNow(redis);
    const decisions = [];
    for (let i = 0; i < 6; i++) {
      const store = i % 2 === 0 ? ahead : behind;
      decisions.push(await store.reserveIssue(ns, { id: `attempt-${i}`, limit: 3, windowMs: DAY_MS, lease }));
    }
    const after = await redisNow(redis);

    expect(decisions.map((decision) => decision.granted)).toEqual([true, true, true, false, false, false]);
    for (const store of [ahead, behind]) {
      const usage = await store.quotaUsage(ns, { windowMs: DAY_MS });
      expect(usage.used).toBe(3);
      for (const time of usage.reservedAt) {
        expect(time).toBeGreaterThanOrEqual(before);
        expect(time).toBeLessThanOrEqual(after);
      }
      expect(decisions[3]!.retryAt).toBe(usage.reservedAt[0]! + DAY_MS);
    }
  });

  it('grant leases that expire on the Redis clock, and exclude each other', async () => {
    const ns = `skew-lease-${crypto.randomUUID()}`;
    const ttlMs = 30_000;
    const before = await redisNow(redis);
    const lease = await ahead.acquireLease(ns, { ttlMs });
    const after = await redisNow(redis);

    expect(lease!.expiresAt).toBeGreaterThanOrEqual(before + ttlMs);
    expect(lease!.expiresAt).toBeLessThanOrEqual(after + ttlMs);
    expect(await behind.acquireLease(ns, { ttlMs })).toBeNull();
    expect(await behind.readLease(ns)).toMatchObject({ id: lease!.id, fence: lease!.fence });
    expect(await ahead.releaseLease(ns, lease!)).toBe(true);
    const next = await behind.acquireLease(ns, { ttlMs });
    expect(next!.fence).toBeGreaterThan(lease!.fence);
    expect(next!.expiresAt).toBeLessThanOrEqual((await redisNow(redis)) + ttlMs);
  });

  it('keep a token until its expiresAt on the Redis clock (the records’ clock), whatever the writer’s clock', async () => {
    for (const writer of [ahead, behind]) {
      const ns = `skew-token-${crypto.randomUUID()}`;
      const lease = await writer.acquireLease(ns, { ttlMs: 30_000 });
      const storeNow = await redisNow(redis);
      const record = { value: 'eyJ.skew.sig', issuedAt: storeNow, expiresAt: storeNow + 60_000, fence: 1 };

      expect(await writer.writeToken(ns, lease!, record)).toBe(true);
      const pttl = await redis.pttl(`cxk:{${ns}}:token`);
      // A TTL measured on the writer's clock would be ~11 minutes (ahead) or an expired record (behind).
      expect(pttl).toBeGreaterThan(50_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
      expect(await (writer === ahead ? behind : ahead).readToken(ns)).toEqual(record);
    }
  });
});
