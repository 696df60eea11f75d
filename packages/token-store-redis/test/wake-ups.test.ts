import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { eventually } from '@connexease-kit/token-store-conformance';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore, redisTokenStoreKeys } from '../src/index.ts';
import { sampleRecord } from './support/exercise.ts';

/** Waits that only a pub/sub message can end within the test's timeout. */
const NEVER_MS = 600_000;

describe('wake-ups: one shared subscriber connection, reference-counted channels, poll fallback', () => {
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

  const subscribers = async (): Promise<string[]> =>
    String(await admin.client('LIST'))
      .split('\n')
      .filter((line) => line.includes('name=connexease-kit:subscriber'));
  const numsub = async (ns: string): Promise<number> =>
    Number((await admin.pubsub('NUMSUB', redisTokenStoreKeys(ns).channel))[1]);

  it('all waiters of a store share one connection and one subscription per namespace', async () => {
    const store = createRedisTokenStore({ url: server.url, pollIntervalMs: NEVER_MS });
    const [a, b] = [`wake-a-${crypto.randomUUID()}`, `wake-b-${crypto.randomUUID()}`];
    const waitersA = Array.from({ length: 5 }, () =>
      store.waitForToken(a, { known: null, timeoutMs: NEVER_MS }),
    );
    const waitersB = Array.from({ length: 3 }, () =>
      store.waitForToken(b, { known: null, timeoutMs: NEVER_MS }),
    );
    const settledB = Promise.allSettled(waitersB);

    await eventually(subscribers, (lines) => lines.length === 1 && lines[0]!.includes(' sub=2 '), {
      timeoutMs: 10_000,
      description: 'one subscriber connection holding both channels',
    });
    expect([await numsub(a), await numsub(b)]).toEqual([1, 1]);

    const lease = await store.acquireLease(a, { ttlMs: 30_000 });
    const record = sampleRecord(lease!.fence);
    expect(await store.writeToken(a, lease!, record)).toBe(true);
    expect(await Promise.all(waitersA)).toEqual(waitersA.map(() => record));

    await eventually(
      () => numsub(a),
      (count) => count === 0,
      {
        timeoutMs: 10_000,
        description: 'the last waiter of a unsubscribed its channel',
      },
    );
    expect(await numsub(b)).toBe(1);

    await store.close();
    for (const outcome of await settledB) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'STORE_UNAVAILABLE' } });
    }
    await eventually(subscribers, (lines) => lines.length === 0, {
      timeoutMs: 10_000,
      description: 'close() closed the subscriber connection',
    });
  });

  it('a change nobody announced is found by the poll', async () => {
    const store = createRedisTokenStore({ url: server.url, pollIntervalMs: 200 });
    const ns = `wake-poll-${crypto.randomUUID()}`;
    try {
      const waiting = store.waitForToken(ns, { known: null, timeoutMs: NEVER_MS });
      await eventually(
        () => numsub(ns),
        (count) => count === 1,
        {
          timeoutMs: 10_000,
          description: 'the waiter subscribed',
        },
      );
      // Written behind the store's back: no PUBLISH, as if the message had been lost.
      const record = sampleRecord(1);
      const stored = JSON.stringify({
        v: record.value,
        e: record.expiresAt,
        i: record.issuedAt,
        f: record.fence,
      });
      await admin.set(redisTokenStoreKeys(ns).token, stored, 'PX', 60_000);

      expect(await waiting).toEqual(record);
    } finally {
      await store.close();
    }
  });

  it('an aborted waiter gives its subscription back', async () => {
    const store = createRedisTokenStore({ url: server.url, pollIntervalMs: NEVER_MS });
    const ns = `wake-abort-${crypto.randomUUID()}`;
    try {
      const controller = new AbortController();
      const waiting = store.waitForToken(ns, { known: null, timeoutMs: NEVER_MS, signal: controller.signal });
      await eventually(
        () => numsub(ns),
        (count) => count === 1,
        {
          timeoutMs: 10_000,
          description: 'the waiter subscribed',
        },
      );
      controller.abort();

      await expect(waiting).rejects.toMatchObject({ name: 'ConnexeaseAuthError', code: 'ABORTED' });
      await eventually(
        () => numsub(ns),
        (count) => count === 0,
        {
          timeoutMs: 10_000,
          description: 'the aborted waiter unsubscribed',
        },
      );
    } finally {
      await store.close();
    }
  });
});
