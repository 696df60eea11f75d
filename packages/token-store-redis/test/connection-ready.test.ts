import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { freePort, startPrivateRedis } from '@connexease-kit/test-servers';
import { eventually } from '@connexease-kit/token-store-conformance';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { whenReady } from '../src/connection.ts';
import { createRedisTokenStore } from '../src/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Calls that waited for a connection during one outage: a busy service makes thousands. */
const CALLS = 2000;

/** A client of a port nothing listens on: it reconnects forever, never ready. */
async function clientOfAnOutage(port?: number): Promise<Redis> {
  const client = new Redis({
    host: '127.0.0.1',
    port: port ?? (await freePort()),
    lazyConnect: true,
    enableOfflineQueue: false,
    retryStrategy: () => 20,
  });
  client.on('error', () => {});
  return client;
}

/** Runs one `whenReady` whose deadline passes; registers its signal to see whether anything keeps it. */
async function oneTimedOutWait(client: Redis, registry: FinalizationRegistry<number>, index: number) {
  const deadline = new AbortController();
  registry.register(deadline.signal, index);
  const waiting = whenReady(client, deadline.signal);
  deadline.abort(new Error('deadline'));
  await waiting.catch(() => {});
}

describe('waiting for the connection during an outage (issue 10, case 7)', () => {
  const cleanups: Array<() => Promise<unknown> | unknown> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  it('keeps nothing of a call whose deadline passed: thousands of timed-out waits leave no callback behind', async () => {
    const client = await clientOfAnOutage();
    cleanups.push(() => client.disconnect());
    const readyListenersBefore = client.listenerCount('ready');
    const endListenersBefore = client.listenerCount('end');

    let collected = 0;
    const registry = new FinalizationRegistry<number>(() => {
      collected++;
    });
    for (let index = 0; index < CALLS; index++) await oneTimedOutWait(client, registry, index);

    // Every wait gave up: nothing may hold its signal (or its promise's callbacks) until Redis is back.
    await eventually(
      async () => {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 10));
        return collected;
      },
      (count) => count >= CALLS - 10,
      { timeoutMs: 10_000, description: `the ${CALLS} timed-out waits were garbage-collected` },
    ).catch(() => {
      throw new Error(
        `${CALLS - collected} of ${CALLS} timed-out waits are still held while Redis is down ` +
          '(each call left a callback on a shared promise)',
      );
    });
    expect(client.status).not.toBe('ready');
    // ioredis itself listens for 'ready' while one of its reconnection attempts is in flight.
    expect(
      client.listenerCount('ready'),
      'the timed-out waits left no ready listener (beyond ioredis own, during a reconnection attempt)',
    ).toBeLessThanOrEqual(readyListenersBefore + 1);
    expect(client.listenerCount('end')).toBe(endListenersBefore);
  }, 60_000);

  it('the same through the store: calls that timed out during an outage leave no ready listener behind', async () => {
    const port = await freePort();
    const client = await clientOfAnOutage(port);
    const store = createRedisTokenStore({ redis: client, commandTimeoutMs: 20 });
    cleanups.push(async () => {
      await store.close();
      client.disconnect();
    });
    const readyListenersBefore = client.listenerCount('ready');
    const ns = `ready-${crypto.randomUUID()}`;
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => store.readToken(ns)));
    for (const outcome of outcomes) {
      expect(outcome).toMatchObject({ status: 'rejected', reason: { code: 'STORE_UNAVAILABLE' } });
    }
    expect(client.listenerCount('ready')).toBeLessThanOrEqual(readyListenersBefore);

    // Redis comes up on that port: a call waiting for the connection goes through.
    const server = await startPrivateRedis({ port });
    cleanups.push(() => server.close());
    const waiting = whenReady(client, new AbortController().signal);
    await expect(waiting).resolves.toBeUndefined();
    expect(await store.readToken(ns)).toBeNull();
  }, 60_000);

  it('a call waiting for the connection fails at once when the client ends (its owner quit it)', async () => {
    const client = await clientOfAnOutage();
    cleanups.push(() => client.disconnect());
    const store = createRedisTokenStore({ redis: client, commandTimeoutMs: 600_000 });
    cleanups.push(() => store.close());
    const waiting = whenReady(client, new AbortController().signal);
    const reading = store.readToken(`ended-${crypto.randomUUID()}`);
    client.disconnect();
    // Not after commandTimeoutMs (10 minutes): the test would time out.
    await expect(waiting).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(reading).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  }, 30_000);
});
