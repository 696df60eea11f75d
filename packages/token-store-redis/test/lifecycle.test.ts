import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { eventually } from '@connexease-kit/token-store-conformance';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore } from '../src/index.ts';
import { EXIT_DEADLINE_MS, runShutdown } from './support/shutdown-process.ts';

describe('store lifecycle: closing leaves nothing open (issue 10, case 6)', () => {
  let server: PrivateRedis;
  let admin: Redis;
  const cleanups: Array<() => Promise<unknown> | unknown> = [];

  beforeAll(async () => {
    server = await startPrivateRedis();
    admin = new Redis(server.url);
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  afterAll(async () => {
    admin?.disconnect();
    await server?.close();
  });

  const subscriberConnections = async (): Promise<number> =>
    String(await admin.client('LIST'))
      .split('\n')
      .filter((line) => line.includes('name=connexease-kit:subscriber')).length;

  /** A store over a caller's client, with its subscriber connection open (a waiter was woken through it). */
  async function storeWithSubscriber() {
    const redis = new Redis(server.url);
    const store = createRedisTokenStore({ redis, pollIntervalMs: 200 });
    cleanups.push(async () => {
      await store.close();
      redis.disconnect();
    });
    const ns = `lifecycle-${crypto.randomUUID()}`;
    const waiting = store.waitForToken(ns, { known: null, timeoutMs: 600_000 });
    waiting.catch(() => {}); // asserted by each test; never an unhandled rejection if a test fails early
    await eventually(subscriberConnections, (count) => count === 1, {
      timeoutMs: 10_000,
      description: 'the store opened its subscriber connection',
    });
    return { redis, store, ns, waiting };
  }

  it.each([
    ['quit()', (redis: Redis) => redis.quit()],
    ['disconnect()', (redis: Redis) => redis.disconnect()],
  ])(
    'the subscriber connection ends when the caller ends its own client with %s, store not closed',
    async (_, end) => {
      const { redis, store, ns, waiting } = await storeWithSubscriber();
      await end(redis);

      await eventually(subscriberConnections, (count) => count === 0, {
        timeoutMs: 10_000,
        description: "the subscriber connection closed with the caller's client",
      });
      await expect(waiting).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
      // A later wait fails at once and opens nothing.
      await expect(store.waitForToken(ns, { known: null, timeoutMs: 60_000 })).rejects.toMatchObject({
        code: 'STORE_UNAVAILABLE',
      });
      expect(await subscriberConnections()).toBe(0);
    },
    60_000,
  );

  it('store.close() closes the subscriber of a caller-owned client, and leaves the client open', async () => {
    const { redis, store, waiting } = await storeWithSubscriber();
    await store.close();
    await expect(waiting).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await eventually(subscriberConnections, (count) => count === 0, {
      timeoutMs: 10_000,
      description: 'close() closed the subscriber connection',
    });
    expect(await redis.ping()).toBe('PONG');
  }, 60_000);

  it.each([
    ['owned', 'a store that created its client, after store.close()'],
    ['caller-quit', "a caller's client, after redis.quit() alone (store never closed)"],
    ['caller-all', "a caller's client, after store.close() and redis.quit()"],
  ])(
    'a process exits on its own: %s (%s)',
    async (mode) => {
      const outcome = await runShutdown({ url: server.url, mode: mode as 'owned' });
      expect(outcome.output).toContain('closed');
      expect(outcome, `the process was still alive ${EXIT_DEADLINE_MS} ms after its shutdown`).toMatchObject({
        exited: true,
        code: 0,
      });
    },
    90_000,
  );
});
