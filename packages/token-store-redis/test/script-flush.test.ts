import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore } from '../src/index.ts';
import { exerciseEveryOperation } from './support/exercise.ts';

/** Calls of a command since the last CONFIG RESETSTAT, from INFO commandstats. */
async function calls(admin: Redis, command: string): Promise<number> {
  const stats = await admin.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
}

describe('scripts survive SCRIPT FLUSH (what a failover or restart does to the script cache)', () => {
  let server: PrivateRedis;
  let admin: Redis;

  beforeAll(async () => {
    server = await startPrivateRedis();
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.close();
  });

  it('every operation still works on the same connection after the cache is flushed', async () => {
    const variants = [
      { protocol: 2, replyMapping: 'legacy' },
      { protocol: 3, replyMapping: 'legacy' },
      { protocol: 3, replyMapping: 'resp3' },
    ] as const;
    for (const options of variants) {
      const variant = `${options.protocol}-${options.replyMapping}`;
      const redis = new Redis(server.url, options);
      const store = createRedisTokenStore({ redis });
      try {
        // Loads every script on this connection, so the next calls go out as EVALSHA.
        await exerciseEveryOperation(store, `flush-warm-${variant}`);

        await admin.script('FLUSH');
        await admin.config('RESETSTAT');
        await exerciseEveryOperation(store, `flush-after-${variant}`);

        expect(await calls(admin, 'evalsha'), 'the warm connection tried EVALSHA first').toBeGreaterThan(0);
        expect(
          await calls(admin, 'eval'),
          'and sent the scripts again in full after NOSCRIPT',
        ).toBeGreaterThan(0);
      } finally {
        await store.close();
        redis.disconnect();
      }
    }
  });
});
