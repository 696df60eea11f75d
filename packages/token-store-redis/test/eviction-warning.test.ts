import type { AuthEvent } from '@connexease-kit/auth-core';
import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { eventually } from '@connexease-kit/token-store-conformance';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRedisTokenStore, type RedisTokenStoreLogger } from '../src/index.ts';
import { exerciseEveryOperation } from './support/exercise.ts';

interface Recorder {
  events: AuthEvent[];
  warnings: string[];
  debugLines: string[];
  logger: RedisTokenStoreLogger;
}

function recorder(): Recorder {
  const recorded: Recorder = {
    events: [],
    warnings: [],
    debugLines: [],
    logger: {
      warn: (message) => recorded.warnings.push(message),
      debug: (message) => recorded.debugLines.push(message),
    },
  };
  return recorded;
}

function checkFinished(recorded: Recorder): Promise<unknown> {
  return eventually(
    async () =>
      recorded.warnings.length + recorded.debugLines.filter((line) => line.includes('maxmemory')).length,
    (count) => count > 0,
    { timeoutMs: 10_000, description: 'the maxmemory-policy check finished' },
  );
}

describe('maxmemory-policy check at start-up', () => {
  let evicting: PrivateRedis;
  let admin: Redis;
  const closers: Array<() => Promise<unknown>> = [];

  beforeAll(async () => {
    evicting = await startPrivateRedis({ args: ['--maxmemory-policy', 'allkeys-lru'] });
    admin = new Redis(evicting.url);
  });

  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });

  afterAll(async () => {
    admin?.disconnect();
    await evicting?.close();
  });

  it('warns exactly once, through onEvent and the logger, when Redis may evict (allkeys-lru)', async () => {
    const recorded = recorder();
    const store = createRedisTokenStore({
      url: evicting.url,
      onEvent: (event) => recorded.events.push(event),
      logger: recorded.logger,
    });
    closers.push(() => store.close());
    await checkFinished(recorded);
    // Many calls later there is still one warning: the check runs once per store.
    await exerciseEveryOperation(store, 'eviction-allkeys');
    await exerciseEveryOperation(store, 'eviction-allkeys-2');

    expect(recorded.events).toHaveLength(1);
    const [event] = recorded.events;
    expect(event).toMatchObject({ type: 'warning' });
    const message = (event as { message: string }).message;
    expect(message).toContain('allkeys-lru');
    expect(message).toContain('noeviction');
    expect(message).toMatch(/quota/);
    expect(message).toMatch(/lease/);
    expect(recorded.warnings).toEqual([message]);
  });

  it('warns for volatile-* policies too (every key of the store has a TTL)', async () => {
    await admin.config('SET', 'maxmemory-policy', 'volatile-ttl');
    try {
      const recorded = recorder();
      // RESP3 with the "resp3" reply mapping: CONFIG GET answers an object instead of a flat array.
      const redis = new Redis(evicting.url, { protocol: 3, replyMapping: 'resp3' });
      const store = createRedisTokenStore({ redis, onEvent: (event) => recorded.events.push(event) });
      closers.push(async () => {
        await store.close();
        redis.disconnect();
      });
      await eventually(
        async () => recorded.events.length,
        (count) => count > 0,
        { timeoutMs: 10_000, description: 'the warning arrived' },
      );
      expect(recorded.events).toEqual([
        { type: 'warning', message: expect.stringContaining('volatile-ttl') },
      ]);
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    }
  });

  it('says nothing but a debug line under noeviction', async () => {
    await admin.config('SET', 'maxmemory-policy', 'noeviction');
    try {
      const recorded = recorder();
      const store = createRedisTokenStore({
        url: evicting.url,
        onEvent: (event) => recorded.events.push(event),
        logger: recorded.logger,
      });
      closers.push(() => store.close());
      await checkFinished(recorded);

      expect(recorded.events).toEqual([]);
      expect(recorded.warnings).toEqual([]);
      expect(recorded.debugLines.join('\n')).toContain('noeviction');
    } finally {
      await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
    }
  });

  it('without onEvent or logger the warning goes to process.emitWarning', async () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    closers.push(async () => emitWarning.mockRestore());
    const store = createRedisTokenStore({ url: evicting.url });
    closers.push(() => store.close());

    await eventually(
      async () => emitWarning.mock.calls.length,
      (count) => count > 0,
      { timeoutMs: 10_000, description: 'process.emitWarning was called' },
    );
    expect(emitWarning).toHaveBeenCalledTimes(1);
    expect(emitWarning.mock.calls[0]).toEqual([
      expect.stringContaining('allkeys-lru'),
      { code: 'CONNEXEASE_REDIS_EVICTION' },
    ]);
  });

  it('never fails and stays quiet when CONFIG is disabled (managed Redis)', async () => {
    const managed = await startPrivateRedis({ args: ['--rename-command', 'CONFIG', ''] });
    closers.push(() => managed.close());
    const recorded = recorder();
    const store = createRedisTokenStore({
      url: managed.url,
      onEvent: (event) => recorded.events.push(event),
      logger: recorded.logger,
    });
    closers.push(() => store.close());

    await checkFinished(recorded);
    await exerciseEveryOperation(store, 'eviction-managed');
    expect(recorded.events).toEqual([]);
    expect(recorded.warnings).toEqual([]);
    expect(recorded.debugLines.filter((line) => line.includes('maxmemory'))).toEqual([
      expect.stringContaining('could not read maxmemory-policy'),
    ]);
  });
});
