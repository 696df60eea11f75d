import { createEncryptedTokenStore, type TokenStore } from '@connexease-kit/auth-core';
import type { TokenRecord } from '@connexease-kit/auth-core/store';
import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { eventually } from '@connexease-kit/token-store-conformance';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createRedisTokenStore, redisTokenStoreKeys } from '../src/index.ts';
import { sampleRecord } from './support/exercise.ts';

/** Waits and polls that only a pub/sub message can end within the test's timeout. */
const NEVER_MS = 600_000;
const KEY = new Uint8Array(32).fill(7);

interface Seen {
  source: string;
  args: string[];
}

describe('wake-ups carry the token record', () => {
  let server: PrivateRedis;
  let admin: Redis;
  let monitor: Redis;
  const seen: Seen[] = [];

  beforeAll(async () => {
    server = await startPrivateRedis();
    admin = new Redis(server.url);
    monitor = await new Redis(server.url).monitor();
    monitor.on(
      'monitor',
      (_time: string, args: string[], source: string) => void seen.push({ source, args }),
    );
  });

  afterAll(async () => {
    monitor?.disconnect();
    admin?.disconnect();
    await server?.close();
  });

  /** A store on its own named connection, and that connection's `host:port` as MONITOR names it. */
  async function storeOn(
    name: string,
  ): Promise<{ store: ReturnType<typeof createRedisTokenStore>; address: string }> {
    const client = new Redis(server.url, { connectionName: name });
    const store = createRedisTokenStore({ redis: client, pollIntervalMs: NEVER_MS });
    onTestFinished(async () => {
      await store.close();
      client.disconnect();
    });
    await client.ping();
    const line = String(await admin.client('LIST'))
      .split('\n')
      .find((entry) => entry.includes(` name=${name} `));
    const address = /addr=(\S+)/.exec(line ?? '')?.[1];
    if (address === undefined) throw new Error(`no connection named ${name}`);
    return { store, address };
  }

  const numsub = async (ns: string): Promise<number> =>
    Number((await admin.pubsub('NUMSUB', redisTokenStoreKeys(ns).channel))[1]);
  const readsBy = (address: string, key: string): number =>
    seen.filter(
      ({ source, args }) => source === address && args[0]?.toLowerCase() === 'get' && args[1] === key,
    ).length;

  /** Starts a wait and resolves once it is subscribed (wrapped: an async function would adopt the wait). */
  async function waitingOn(
    store: TokenStore,
    ns: string,
    known: TokenRecord | null = null,
  ): Promise<{ waiting: Promise<TokenRecord | null> }> {
    const waiting = store.waitForToken(ns, { known, timeoutMs: NEVER_MS });
    await eventually(
      () => numsub(ns),
      (count) => count === 1,
      { timeoutMs: 10_000, description: 'the waiter subscribed' },
    );
    return { waiting };
  }

  async function writeAs(store: TokenStore, ns: string, value?: string): Promise<TokenRecord> {
    const lease = await store.acquireLease(ns, { ttlMs: 30_000 });
    const record = sampleRecord(lease!.fence, value);
    expect(await store.writeToken(ns, lease!, record)).toBe(true);
    return record;
  }

  it('a waiter adopts the record the write publishes, without reading it back', async () => {
    const writer = await storeOn(`writer-${crypto.randomUUID()}`);
    const waiter = await storeOn(`waiter-${crypto.randomUUID()}`);
    const ns = `payload-${crypto.randomUUID()}`;
    const { waiting } = await waitingOn(waiter.store, ns);
    // Let the waiter's first read (after its subscription was confirmed) land before the write.
    await eventually(
      async () => readsBy(waiter.address, redisTokenStoreKeys(ns).token),
      (reads) => reads === 1,
      { timeoutMs: 10_000, description: "the waiter's first read" },
    );
    const record = await writeAs(writer.store, ns);
    expect(await waiting).toEqual(record);
    await admin.ping(); // MONITOR has seen everything sent before this answer.
    await eventually(async () => seen.some(({ args }) => args[0]?.toLowerCase() === 'ping'), Boolean, {
      timeoutMs: 10_000,
      description: 'monitor caught up',
    });
    expect(readsBy(waiter.address, redisTokenStoreKeys(ns).token)).toBe(1);
  });

  it('with encryption the message carries only the ciphertext, and the waiter gets the plaintext', async () => {
    const writer = await storeOn(`writer-${crypto.randomUUID()}`);
    const waiter = await storeOn(`waiter-${crypto.randomUUID()}`);
    const encryptedWriter = createEncryptedTokenStore(writer.store, { key: KEY });
    const encryptedWaiter = createEncryptedTokenStore(waiter.store, { key: KEY });
    const ns = `payload-enc-${crypto.randomUUID()}`;
    const { waiting } = await waitingOn(encryptedWaiter, ns);
    const secret = `eyJ.${crypto.randomUUID()}.secret-signature`;
    const record = await writeAs(encryptedWriter, ns, secret);
    expect(await waiting).toEqual(record);

    const stored = await admin.get(redisTokenStoreKeys(ns).token);
    const published = seen.filter(
      ({ args }) => args[0]?.toLowerCase() === 'publish' && args[1] === redisTokenStoreKeys(ns).channel,
    );
    expect(published.map(({ args }) => args[2])).toEqual([stored]);
    expect(JSON.stringify(published)).not.toContain(secret);
  });

  it('a message without a record (an older store, a discard) is a hint: the waiter reads', async () => {
    const waiter = await storeOn(`waiter-${crypto.randomUUID()}`);
    const ns = `payload-hint-${crypto.randomUUID()}`;
    const keys = redisTokenStoreKeys(ns);
    const { waiting } = await waitingOn(waiter.store, ns);
    const record = sampleRecord(3);
    const stored = JSON.stringify({
      v: record.value,
      e: record.expiresAt,
      i: record.issuedAt,
      f: record.fence,
    });
    await admin.set(keys.token, stored, 'PX', 60_000);
    await admin.publish(keys.channel, '3'); // what cxkWriteTokenV2 publishes: the fence alone
    expect(await waiting).toEqual(record);
  });

  it('a record older than the one the waiter knows is not adopted: the waiter reads the store', async () => {
    const waiter = await storeOn(`waiter-${crypto.randomUUID()}`);
    const ns = `payload-stale-${crypto.randomUUID()}`;
    const keys = redisTokenStoreKeys(ns);
    const encode = (record: TokenRecord) =>
      JSON.stringify({ v: record.value, e: record.expiresAt, i: record.issuedAt, f: record.fence });
    const known = sampleRecord(5);
    await admin.set(keys.token, encode(known), 'PX', 60_000);
    const { waiting } = await waitingOn(waiter.store, ns, known);
    const newest = sampleRecord(6);
    await admin.set(keys.token, encode(newest), 'PX', 60_000);
    await admin.publish(keys.channel, encode(sampleRecord(4))); // a late message from an older write
    expect(await waiting).toEqual(newest);
  });
});
