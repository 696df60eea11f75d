import { formatDuration } from '@connexease-kit/auth-core/store';
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

/** How a wait for the connection ended: it came up, or the client ended (quit, disconnect, gave up). */
type ReadyOutcome = 'ready' | 'end';

/** The calls waiting for one client's next `ready` (or its end), behind one listener of each. */
interface ReadyWaiters {
  readonly callbacks: Set<(outcome: ReadyOutcome) => void>;
  readonly onReady: () => void;
  readonly onEnd: () => void;
}

const readyWaiters = new WeakMap<RedisClient, ReadyWaiters>();

function stopListening(client: RedisClient, waiters: ReadyWaiters): void {
  if (readyWaiters.get(client) === waiters) readyWaiters.delete(client);
  client.off('ready', waiters.onReady);
  client.off('end', waiters.onEnd);
}

/**
 * Calls `callback` on the client's next `ready` or `end`; the returned function takes it back. One
 * listener of each per client however many calls wait, and a call that gives up leaves nothing behind:
 * an outage of minutes under load must not pile up callbacks until Redis returns.
 */
function onNextReady(client: RedisClient, callback: (outcome: ReadyOutcome) => void): () => void {
  let waiters = readyWaiters.get(client);
  if (waiters === undefined) {
    const callbacks = new Set<(outcome: ReadyOutcome) => void>();
    const settle = (outcome: ReadyOutcome): void => {
      stopListening(client, created);
      for (const waiting of callbacks) waiting(outcome);
    };
    const created: ReadyWaiters = { callbacks, onReady: () => settle('ready'), onEnd: () => settle('end') };
    waiters = created;
    readyWaiters.set(client, waiters);
    client.once('ready', waiters.onReady);
    client.once('end', waiters.onEnd);
  }
  const current = waiters;
  current.callbacks.add(callback);
  return () => {
    current.callbacks.delete(callback);
    if (current.callbacks.size === 0) stopListening(client, current);
  };
}

/**
 * Resolves once `client` can take commands, so no command ever waits in an offline queue to run
 * minutes later (a late lease grant would hold the namespace with no one behind it). Rejects with the
 * abort reason when `signal` (the caller's deadline) aborts first, and with `STORE_UNAVAILABLE` at once
 * when the client ends (its owner quit it) while the call waits.
 */
export function whenReady(client: RedisClient, signal: AbortSignal): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  if (client.status === 'end') return Promise.reject(clientClosed());
  if (signal.aborted) return Promise.reject(signal.reason);
  if (client.status === 'wait') client.connect().catch(() => {});
  return new Promise<void>((resolve, reject) => {
    const stopWaiting = onNextReady(client, (outcome) => {
      signal.removeEventListener('abort', onAbort);
      if (outcome === 'ready') resolve();
      else reject(clientClosed());
    });
    const onAbort = (): void => {
      stopWaiting();
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function clientClosed(): Error {
  return storeUnavailable('the Redis client was closed');
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
