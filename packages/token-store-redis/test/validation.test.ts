import { inspect } from 'node:util';
import type { Lease } from '@connexease-kit/auth-core/store';
import { requireSharedRedis, SHARED_REDIS_URL } from '@connexease-kit/test-servers';
import { eventually } from '@connexease-kit/token-store-conformance';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTokenStore, type RedisTokenStore, type RedisTokenStoreOptions } from '../src/index.ts';
import { sampleRecord } from './support/exercise.ts';

const configInvalid = { name: 'ConnexeaseAuthError', code: 'CONFIG_INVALID' };

describe('options', () => {
  it.each<[string, unknown]>([
    ['no options', undefined],
    ['neither redis nor url', {}],
    ['a redis that is not an ioredis client', { redis: { get: () => null } }],
    ['an empty url', { url: '' }],
    ['a url that is not a URL', { url: 'not a url' }],
    ['a url of another scheme', { url: 'http://127.0.0.1:6379' }],
    [
      'a keyPrefix with braces (it would break the hash tag)',
      { url: 'redis://127.0.0.1', keyPrefix: 'a{b}' },
    ],
    ['a zero pollIntervalMs', { url: 'redis://127.0.0.1', pollIntervalMs: 0 }],
    ['a negative commandTimeoutMs', { url: 'redis://127.0.0.1', commandTimeoutMs: -1 }],
    ['a clock without now()', { url: 'redis://127.0.0.1', clock: {} }],
    ['a logger without warn()', { url: 'redis://127.0.0.1', logger: {} }],
    ['startupChecks that is not a boolean', { url: 'redis://127.0.0.1', startupChecks: 'no' }],
  ])('rejects %s with CONFIG_INVALID', (_, options) => {
    expect(() => createRedisTokenStore(options as RedisTokenStoreOptions)).toThrow(
      expect.objectContaining(configInvalid),
    );
  });

  it('never puts the URL or its password in an error', () => {
    const password = 'hunter2-very-secret';
    for (const url of [
      `ftp://user:${password}@example.com`,
      `redis://user:${password}@127.0.0.1:6379 extra`,
    ]) {
      try {
        createRedisTokenStore({ url, keyPrefix: '{bad}' });
        expect.unreachable('the options are invalid');
      } catch (error) {
        expect(error).toMatchObject(configInvalid);
        expect(inspect(error, { depth: 10 })).not.toContain(password);
        expect(JSON.stringify(error)).not.toContain(password);
      }
    }
  });
});

describe('operation input', () => {
  let redis: Redis;
  let store: RedisTokenStore;
  const lease: Lease = { id: 'lease-id', fence: 1, expiresAt: Date.now() + 60_000 };

  beforeAll(async () => {
    await requireSharedRedis();
    redis = new Redis(SHARED_REDIS_URL);
    store = createRedisTokenStore({ redis });
  });

  afterAll(async () => {
    await store?.close();
    redis?.disconnect();
  });

  it.each<[string, () => Promise<unknown>]>([
    ['an empty namespace', () => store.readToken('')],
    ['a namespace with braces', () => store.readToken('a}b')],
    ['a namespace with a space', () => store.readLease('a b')],
    ['a lease without an id', () => store.releaseLease('ns', { fence: 1 } as Lease)],
    ['a record without a value', () => store.writeToken('ns', lease, { ...sampleRecord(1), value: '' })],
    [
      'a record whose expiresAt passed',
      () => store.writeToken('ns', lease, { ...sampleRecord(1), expiresAt: 1 }),
    ],
    ['a non-positive lease ttl', () => store.acquireLease('ns', { ttlMs: 0 })],
    ['a fractional limit', () => store.reserveIssue('ns', { id: 'r', limit: 2.5, windowMs: 1000, lease })],
    ['an empty reservation id', () => store.reserveIssue('ns', { id: '', limit: 2, windowMs: 1000, lease })],
    [
      'a reservation without a lease',
      () => store.reserveIssue('ns', { id: 'r', limit: 2, windowMs: 1000 } as never),
    ],
    [
      'a remembered entry without a time',
      () => store.restoreQuota('ns', { windowMs: 1000, known: [{ id: 'r' } as never] }),
    ],
    ['an infinite window', () => store.quotaUsage('ns', { windowMs: Number.POSITIVE_INFINITY })],
    [
      'a block with an unknown code',
      () => store.writeBlock('ns', { code: 'NOPE', status: 1, reason: '', createdAt: 1 } as never),
    ],
    ['a negative wait timeout', () => store.waitForToken('ns', { known: null, timeoutMs: -1 })],
    ['an empty value to discard', () => store.discardToken('ns', '')],
  ])('rejects %s with CONFIG_INVALID', async (_, call) => {
    await expect(call()).rejects.toMatchObject(configInvalid);
  });

  it('never echoes a token in an error', async () => {
    const record = { ...sampleRecord(1), expiresAt: 5 };
    const error = await store.writeToken('ns', lease, record).catch((caught: unknown) => caught);
    expect(error).toMatchObject(configInvalid);
    expect(inspect(error, { depth: 10 })).not.toContain(record.value);
  });

  it('a Redis error keeps its message but not the command arguments (which can hold a token)', async () => {
    const ns = `wrong-type-${crypto.randomUUID()}`;
    await redis.set(`cxk:{${ns}}:quota`, 'not a sorted set', 'PX', 60_000);
    const held = (await store.acquireLease(ns, { ttlMs: 60_000 }))!;
    const error = await store
      .reserveIssue(ns, { id: 'secret-looking-id', limit: 1, windowMs: 1000, lease: held })
      .catch((caught: unknown) => caught);

    expect(error).toMatchObject({ name: 'ConnexeaseAuthError', code: 'STORE_UNAVAILABLE', retryable: true });
    expect((error as Error).message).toContain('WRONGTYPE');
    expect((error as Error).cause).toMatchObject({ message: expect.stringContaining('WRONGTYPE') });
    expect(inspect(error, { depth: 10 })).not.toContain('secret-looking-id');
  });

  it('a closed store answers STORE_UNAVAILABLE and leaves a caller-owned client open', async () => {
    const closing = createRedisTokenStore({ redis });
    await closing.close();

    await expect(closing.readToken('ns')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(closing.waitForToken('ns', { known: null, timeoutMs: 10 })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    expect(await redis.ping()).toBe('PONG');
  });

  it('a store-owned client is closed by close()', async () => {
    const connectionName = `cxk-owned-${crypto.randomUUID()}`;
    const connections = async (): Promise<number> =>
      String(await redis.client('LIST'))
        .split('\n')
        .filter((line) => line.includes(`name=${connectionName}`)).length;
    const owning = createRedisTokenStore({ url: SHARED_REDIS_URL, redisOptions: { connectionName } });
    await owning.readToken('ns');
    expect(await connections()).toBe(1);

    await owning.close();
    await eventually(connections, (count) => count === 0, {
      timeoutMs: 10_000,
      description: 'the owned connection closed',
    });
    await expect(owning.readToken('ns')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});
