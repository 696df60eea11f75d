import type { Cluster, Redis } from 'ioredis';
import { redisTokenStoreKeys } from '../../src/index.ts';

/**
 * Makes Redis lose `ns`'s records as a real one can: every key (a restart without persistence, a
 * `FLUSHALL`) or only the quota entries, keeping the marker beside them (the eviction of one key).
 * Only the namespace's own keys are deleted: the shared Redis is never flushed.
 */
export async function loseRedisRecords(
  redis: Redis | Cluster,
  ns: string,
  what: 'everything' | 'quota',
): Promise<void> {
  const keys = redisTokenStoreKeys(ns);
  if (what === 'quota') {
    await redis.del(keys.quota);
    return;
  }
  await redis.del(keys.token, keys.lease, keys.fence, keys.quota, keys.epoch, keys.block);
}
