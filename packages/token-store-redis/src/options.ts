import type { AuthEventListener, TokenStore } from '@connexease-kit/auth-core';
import type { Cluster, Redis, RedisOptions } from 'ioredis';

/** Where the store logs. `console` and most structured loggers (pino, winston) fit. */
export interface RedisTokenStoreLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

/**
 * The calling process's clock. No longer used: token records' times are on the store's clock, so Redis
 * turns a token's `expiresAt` into a key TTL with its own `TIME`. Still accepted (and checked) so existing
 * configurations keep working.
 */
export interface RedisTokenStoreClock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Options every form of {@link createRedisTokenStore} accepts. */
export interface RedisTokenStoreCommonOptions {
  /**
   * First segment of every key and channel (`<prefix>:{<ns>}:token`). Default `cxk`. Letters, digits and
   * `_ - . :` only: braces would break the hash tag that keeps a namespace on one Cluster slot.
   */
  keyPrefix?: string;
  /**
   * Upper bound of the fallback poll of `waitForToken`: each poll sleeps a random 50-100 % of this, so a
   * lost pub/sub message costs at most one interval. Default 1000 ms.
   */
  pollIntervalMs?: number;
  /**
   * Upper bound for every store call, waiting for the connection included. A call that takes longer
   * rejects with `STORE_UNAVAILABLE` (the command may still run later; every script is safe to run
   * late). Default 2000 ms.
   */
  commandTimeoutMs?: number;
  /**
   * TTL of a block written without `ttlMs` ("until `unblock()`"): no key may live forever, so it is
   * bounded by this long safety TTL. Default 400 days.
   */
  blockSafetyTtlMs?: number;
  /** Receives the start-up `warning` event (an evicting `maxmemory-policy`). */
  onEvent?: AuthEventListener;
  /**
   * Receives the same warning and a few debug lines. When neither `onEvent` nor `logger` is given, the
   * warning goes to `process.emitWarning`.
   */
  logger?: RedisTokenStoreLogger;
  /**
   * @deprecated Ignored: every time the store computes (lease, quota, token TTL) comes from Redis `TIME`.
   * See {@link RedisTokenStoreClock}.
   */
  clock?: RedisTokenStoreClock;
}

/** Use a client you own: the store never closes it. */
export interface RedisTokenStoreClientOptions extends RedisTokenStoreCommonOptions {
  /** A standalone or Sentinel-backed `Redis`, or a `Cluster` (Redis 7 for sharded pub/sub). */
  redis: Redis | Cluster;
}

/** Let the store create (and close) its own client. */
export interface RedisTokenStoreUrlOptions extends RedisTokenStoreCommonOptions {
  /** `redis://[[user]:password@]host[:port][/db]` or `rediss://…`. Never logged or put in an error. */
  url: string;
  /**
   * Merged over the store's fail-fast defaults (`maxRetriesPerRequest: 1`, `connectTimeout: 2000`,
   * `enableOfflineQueue: false`, reconnect backoff capped at 2 s). Add `sentinels` and `name` for Sentinel.
   */
  redisOptions?: RedisOptions;
}

export type RedisTokenStoreOptions = RedisTokenStoreClientOptions | RedisTokenStoreUrlOptions;

/** The five keys of a namespace. */
export type RedisKeyKind = 'token' | 'lease' | 'fence' | 'quota' | 'epoch' | 'block';

/** One existing key of a namespace and the time it has left, as `inspectTtls` reports it. */
export interface RedisKeyTtl {
  key: RedisKeyKind;
  /** The full Redis key (without a client-level ioredis `keyPrefix`). */
  redisKey: string;
  /** Milliseconds until Redis expires the key; `null` if it has no TTL (which would be a bug). */
  ttlMs: number | null;
}

/** The Redis `TokenStore`, plus a debug view of its keys. */
export interface RedisTokenStore extends TokenStore {
  /**
   * The keys `ns` holds right now and their PTTL. For tests (the conformance suite's TTL check) and
   * debugging; never reveals a value.
   */
  inspectTtls(ns: string): Promise<RedisKeyTtl[]>;
}
