import { formatDuration } from '@connexease-kit/auth-core';
import { type Cluster, Redis, type RedisOptions } from 'ioredis';
import { storeUnavailable } from './store-error.ts';
import { invalid } from './validate.ts';

export type RedisClient = Redis | Cluster;

/** `instanceof` fails when the app and this package resolve different ioredis copies; the flag does not. */
export function isCluster(client: RedisClient): client is Cluster {
  return (client as { isCluster?: unknown }).isCluster === true;
}

export function isRedisClient(value: unknown): value is RedisClient {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { defineCommand?: unknown }).defineCommand === 'function' &&
    typeof (value as { duplicate?: unknown }).duplicate === 'function'
  );
}

/** Reconnect quickly (a store outage stops issuing), with jitter so a fleet does not reconnect in step. */
function fastReconnect(times: number): number {
  const backoff = Math.min(100 * 2 ** Math.min(times, 5), 2000);
  return Math.round(backoff / 2 + (Math.random() * backoff) / 2);
}

/**
 * Fail-fast defaults for a client the store creates: a down Redis makes calls fail with
 * `STORE_UNAVAILABLE` within `commandTimeoutMs` instead of queueing them for later.
 */
const CREATED_CLIENT_DEFAULTS: RedisOptions = {
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  enableOfflineQueue: false,
  retryStrategy: fastReconnect,
  connectionName: 'connexease-kit',
};

/** Creates the store's own client. Neither the URL nor its password ever reaches a message. */
export function createClientFromUrl(url: unknown, redisOptions: RedisOptions | undefined): Redis {
  if (typeof url !== 'string' || url.length === 0) throw invalid('url must be a non-empty redis:// URL');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('url is not a valid URL (expected redis://[user:password@]host:port[/db])');
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw invalid(`url must start with redis:// or rediss://, not ${parsed.protocol}//`);
  }
  return new Redis(url, { ...CREATED_CLIENT_DEFAULTS, ...redisOptions });
}

/** One `ready` listener per client, however many calls wait for it. */
const readyWaits = new WeakMap<RedisClient, Promise<void>>();

function nextReady(client: RedisClient): Promise<void> {
  let ready = readyWaits.get(client);
  if (ready === undefined) {
    ready = new Promise<void>((resolve) => {
      client.once('ready', () => {
        readyWaits.delete(client);
        resolve();
      });
    });
    readyWaits.set(client, ready);
  }
  return ready;
}

/**
 * Resolves once `client` can take commands, so no command ever waits in an offline queue to run
 * minutes later (a late lease grant would hold the namespace with no one behind it). Rejects with the
 * abort reason when `signal` (the caller's deadline) aborts first.
 */
export function whenReady(client: RedisClient, signal: AbortSignal): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(storeUnavailable('the Redis client was closed'));
  if (client.status === 'wait') client.connect().catch(() => {});
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    void nextReady(client).then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/**
 * Runs `task` with a deadline; past it the promise rejects with `onTimeout()` (default: a
 * `STORE_UNAVAILABLE` "timed out") and `task`'s signal aborts. The task itself may still finish.
 */
export function withDeadline<T>(
  operation: string,
  timeoutMs: number,
  task: (signal: AbortSignal) => Promise<T>,
  onTimeout: () => Error = () =>
    storeUnavailable(`${operation} timed out after ${formatDuration(timeoutMs)}`),
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(onTimeout()), timeoutMs);
  return new Promise<T>((resolve, reject) => {
    controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true });
    task(controller.signal).then(resolve, reject);
  }).finally(() => clearTimeout(timer));
}

/** Closes a client the store created: a polite QUIT, then a hard disconnect if Redis does not answer. */
export async function closeOwnedClient(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  try {
    await withDeadline('quit', timeoutMs, () => client.quit());
  } catch {
    client.disconnect();
  }
}
