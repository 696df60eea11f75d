/**
 * The line protocol between a fleet test (or a benchmark) and its replica processes
 * (fixtures/replica.ts): the test writes one JSON command per line on the replica's stdin, the
 * replica writes one JSON message per line on stdout. Types only, so fixtures can import it under
 * Node's type stripping.
 */
import type { AuthEvent, AuthStatus } from '@connexease-kit/auth-core';

/**
 * Where a replica's store lives: a Redis URL, a Redis Cluster, a Sentinel topology, or a PostgreSQL
 * database and schema (the PostgreSQL store).
 */
export type ReplicaRedis =
  | { url: string }
  | { cluster: ReadonlyArray<{ host: string; port: number }> }
  /** ioredis's Sentinel client, as the README shows it: `new Redis({ sentinels, name })`. */
  | { sentinels: ReadonlyArray<{ host: string; port: number }>; name: string }
  | { postgres: string; schema: string };

/** Everything a replica needs; passed as JSON in the `CXK_FLEET_REPLICA` environment variable. */
export interface ReplicaConfig {
  /** Shown in reports and failure messages. */
  name: string;
  baseUrl: string;
  username: string;
  password: string;
  redis: ReplicaRedis;
  quota?: { limit: number; windowMs: number };
  /** Passed to `createConnexeaseClient` as they are (`leaseTtlMs`, `refreshBeforeExpiryMs`, …). */
  provider?: {
    leaseTtlMs?: number;
    refreshBeforeExpiryMs?: number;
    pollIntervalMs?: number;
    storeCheckIntervalMs?: number;
    waitTimeoutMs?: number;
    unauthorizedRefreshIntervalMs?: number;
    invalidCredentialsBlockMs?: number;
    issueTimeoutMs?: number;
    retry?: { attempts?: number; baseDelayMs?: number; maxDelayMs?: number };
  };
  /** Options of the store (Redis or PostgreSQL). */
  store?: { pollIntervalMs?: number; commandTimeoutMs?: number };
  /** Added to `Date.now()` in the provider's and the store's clocks (a host whose clock is off). */
  clockOffsetMs?: number;
  /** Wraps the store in auth-core's `createEncryptedTokenStore` with this key. */
  encryptionKey?: string;
  /** Reports lease grants, reservations and token writes as `store` messages (finds the leader). */
  traceStore?: boolean;
  /**
   * Benchmarks only: replaces the store's `waitForToken` (pub/sub plus poll) with a plain poll of
   * `readToken` every 50-100 % of `store.pollIntervalMs`, the baseline for wake-up latency.
   */
  pollOnly?: boolean;
}

/** What one request ended with, as a replica counts it. */
export interface RequestFailure {
  /** `ConnexeaseAuthError` code, `HTTP_<status>` for ky's HTTPError, or the error's name. */
  code: string;
  blockedCode?: string;
  retryAt?: number;
}

/** Counts of one batch of requests. */
export interface RequestTally {
  ok: number;
  /** Requests that ended failed (after any retries the command asked for). */
  failed: number;
  /** Every failure seen, retried ones included, by code (`BLOCKED:INVALID_CREDENTIALS` for blocks). */
  failures: Record<string, number>;
  /** Failures that carried a `retryAt`, by code. */
  failuresWithRetryAt: Record<string, number>;
  /** Epoch ms (sub-ms precision) of the first and last successful request, or null. */
  firstOkAt: number | null;
  lastOkAt: number | null;
}

/** Commands a test sends. Every command with an `id` gets exactly one reply carrying that id. */
export type ReplicaCommand =
  /**
   * `requests` concurrent API calls; with `retryForMs`, each failed call is retried until then. `path` is
   * the endpoint called (default `some/endpoint/`), for all commands that make calls.
   */
  | { op: 'burst'; id: string; requests: number; retryForMs?: number; path?: string }
  /** `workers` loops of API calls, `pauseMs` apart, until `durationMs` or a `stop` for this id. */
  | { op: 'busy'; id: string; workers: number; pauseMs: number; durationMs?: number; path?: string }
  | { op: 'stop'; id: string }
  | { op: 'status'; id: string }
  | { op: 'unblock'; id: string }
  /** The `Authorization` value the replica would send now (tests search the store for the token). */
  | { op: 'authorization'; id: string }
  | { op: 'exit' };

/** Messages a replica writes. */
export type ReplicaMessage =
  | { type: 'ready'; name: string; namespace: string; pid: number }
  | { type: 'event'; at: number; event: AuthEvent }
  | {
      type: 'store';
      at: number;
      startedAt: number;
      op: 'acquireLease' | 'reserveIssue' | 'writeToken' | 'discardToken';
      granted: boolean;
      fence?: number;
      used?: number;
      error?: string;
    }
  | { type: 'reply'; id: string; tally: RequestTally }
  | { type: 'reply'; id: string; status: AuthStatus }
  | { type: 'reply'; id: string; authorization: string }
  | { type: 'reply'; id: string; done: true }
  | { type: 'reply'; id: string; error: RequestFailure }
  | { type: 'fatal'; message: string };
