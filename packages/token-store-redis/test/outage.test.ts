import { inspect } from 'node:util';
import type { TokenStore } from '@connexease-kit/auth-core';
import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { eventually } from '@connexease-kit/token-store-conformance';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore, type RedisTokenStore } from '../src/index.ts';
import { exerciseEveryOperation, sampleRecord } from './support/exercise.ts';

const PASSWORD = 'cxk-outage-s3cret';
const DAY_MS = 24 * 60 * 60 * 1000;

/** Every operation, each expected to fail while Redis is down. */
function everyOperation(store: TokenStore, ns: string): Array<[string, Promise<unknown>]> {
  const lease = { id: 'lease-id', fence: 1, expiresAt: Date.now() + 1000 };
  return [
    ['readToken', store.readToken(ns)],
    ['writeToken', store.writeToken(ns, lease, sampleRecord(1))],
    ['discardToken', store.discardToken(ns, 'eyJ.value.sig')],
    ['acquireLease', store.acquireLease(ns, { ttlMs: 30_000 })],
    ['extendLease', store.extendLease(ns, lease, 30_000)],
    ['releaseLease', store.releaseLease(ns, lease)],
    ['readLease', store.readLease(ns)],
    ['reserveIssue', store.reserveIssue(ns, { id: 'r', limit: 5, windowMs: DAY_MS, lease })],
    ['restoreQuota', store.restoreQuota(ns, { windowMs: DAY_MS, known: [] })],
    ['clearQuotaLoss', store.clearQuotaLoss(ns)],
    ['quotaUsage', store.quotaUsage(ns, { windowMs: DAY_MS })],
    ['readBlock', store.readBlock(ns)],
    ['writeBlock', store.writeBlock(ns, { code: 'AGENT_BANNED', status: 403, reason: 'x', createdAt: 1 })],
    ['clearBlock', store.clearBlock(ns)],
    ['waitForToken', store.waitForToken(ns, { known: null, timeoutMs: 5000 })],
  ];
}

describe('Redis outage and recovery', () => {
  let server: PrivateRedis;
  let userClient: Redis;
  let admin: Redis;
  let stores: Array<[string, RedisTokenStore]>;

  beforeAll(async () => {
    server = await startPrivateRedis({ args: ['--requirepass', PASSWORD] });
    const url = `redis://:${PASSWORD}@${server.host}:${server.port}`;
    // ioredis defaults (offline queue on, 20 retries per request): the store must still fail fast.
    userClient = new Redis(url);
    userClient.on('error', () => {});
    admin = new Redis(url);
    admin.on('error', () => {});
    stores = [
      ['store-owned-client', createRedisTokenStore({ url, commandTimeoutMs: 500 })],
      ['caller-owned-client', createRedisTokenStore({ redis: userClient, commandTimeoutMs: 500 })],
    ];
  });

  afterAll(async () => {
    for (const [, store] of stores ?? []) await store.close();
    userClient?.disconnect();
    admin?.disconnect();
    await server?.close();
  });

  it('fails every call with STORE_UNAVAILABLE while Redis is down, and recovers when it is back', async () => {
    for (const [name, store] of stores) await exerciseEveryOperation(store, `before-${name}`);

    // A waiter subscribed before the outage must be woken by pub/sub after it: neither its poll nor its
    // own timeout can end the wait within this test's timeout.
    const listener = createRedisTokenStore({ redis: admin, pollIntervalMs: 600_000 });
    const ns = 'outage-wake';
    const waiting = listener.waitForToken(ns, { known: null, timeoutMs: 600_000 });
    await eventually(
      async () => (await admin.pubsub('NUMSUB', `cxk:{${ns}}:changed`))[1],
      (count) => Number(count) === 1,
      { timeoutMs: 10_000, description: 'the waiter subscribed' },
    );

    await server.stop();
    for (const [name, store] of stores) {
      const calls = everyOperation(store, `during-${name}`);
      const outcomes = await Promise.allSettled(calls.map(([, call]) => call));
      for (const [index, outcome] of outcomes.entries()) {
        const operation = `${name}: ${calls[index]![0]}`;
        expect(outcome.status, operation).toBe('rejected');
        const error = (outcome as PromiseRejectedResult).reason;
        expect(error, operation).toMatchObject({ name: 'ConnexeaseAuthError', code: 'STORE_UNAVAILABLE' });
        expect(error.retryable, operation).toBe(true);
        for (const text of [error.message, JSON.stringify(error), inspect(error, { depth: 10 })]) {
          expect(text, `${operation} leaks the Redis password`).not.toContain(PASSWORD);
        }
      }
    }

    await server.start();
    for (const [name, store] of stores) {
      await eventually(
        () =>
          store.readToken(`after-${name}`).then(
            () => true,
            () => false,
          ),
        (ok) => ok,
        { timeoutMs: 20_000, description: `${name} reconnected` },
      );
      // Nothing queued during the outage ran late: the lease acquired "during" it was never granted.
      expect(await store.readLease(`during-${name}`)).toBeNull();
      expect((await store.quotaUsage(`during-${name}`, { windowMs: DAY_MS })).used).toBe(0);
      await exerciseEveryOperation(store, `after-${name}`);
    }

    await eventually(
      async () => (await admin.pubsub('NUMSUB', `cxk:{${ns}}:changed`))[1],
      (count) => Number(count) === 1,
      { timeoutMs: 20_000, description: 'the subscriber re-subscribed after the restart' },
    );
    const [, writer] = stores[0]!;
    const lease = await writer.acquireLease(ns, { ttlMs: 30_000 });
    const record = sampleRecord(lease!.fence);
    expect(await writer.writeToken(ns, lease!, record)).toBe(true);
    expect(await waiting).toEqual(record);
    await listener.close();
  }, 90_000);
});
