import type { AuthMode, Credentials } from './credentials.ts';
import type { BlockCode } from './errors.ts';
import type { AuthEventListener } from './events.ts';
import type { JwtIssuer } from './issuer.ts';
import type { TokenStore } from './store.ts';

export interface QuotaOptions {
  /** Issues allowed per window. Default 25; above the API's 30 is `CONFIG_INVALID`. */
  limit?: number;
  /** Window length. Default 24 h. */
  windowMs?: number;
}

export interface RetryOptions {
  /** Attempts per refresh, first included. Default 3. */
  attempts?: number;
  /** First backoff. Default 500 ms. */
  baseDelayMs?: number;
  /** Backoff cap. Default 10 s. */
  maxDelayMs?: number;
}

/** Time and randomness, injectable for tests. */
export interface Clock {
  now(): number;
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface TokenProviderOptions {
  credentials: Credentials;
  /** API base URL; part of the namespace. Default `https://api.connexease.com`. */
  baseUrl?: string;
  /** Makes one `POST /jwt/` attempt. Required for `{ username, password }`. */
  issuer?: JwtIssuer;
  /** Where the fleet shares tokens, leases, quota and blocks. Required for `{ username, password }`. */
  store?: TokenStore;
  quota?: QuotaOptions;
  /** Refresh this long before expiry (at most half the token's life). Default 30 min. */
  refreshBeforeExpiryMs?: number;
  /** How long a 401 from `POST /jwt/` blocks the same password fleet-wide. Default 1 h. */
  invalidCredentialsBlockMs?: number;
  /** Lease time-to-live; the leader extends it while it works. Default 30 s. */
  leaseTtlMs?: number;
  /** Longest a caller waits for another replica's token before failing with `TIMEOUT`. Default 60 s. */
  waitTimeoutMs?: number;
  /** Poll interval bound while waiting (notifications usually wake sooner). Default 1 s. */
  pollIntervalMs?: number;
  /**
   * How often (jittered ±25 %) a replica holding a token checks, off the hot path, that the store still
   * holds the fleet's quota record (guarantee 10): one `quotaUsage` call. After a loss (a Redis restart
   * without persistence, a flush, eviction) it re-adds the attempts it remembers and writes its token
   * back, so replicas started later adopt it instead of issuing. Default 30 s; 100 ms to 24 h.
   */
  storeCheckIntervalMs?: number;
  /**
   * Longest one `POST /jwt/` attempt may take before the provider gives up on it (`TIMEOUT`, counted
   * as an attempt and retried). A backstop above the issuer's own timeout. Default 30 s.
   */
  issueTimeoutMs?: number;
  /**
   * A 401 for a JWT younger than this is not answered with another refresh (`TOKEN_REJECTED`), so a
   * token the API keeps rejecting cannot drain the daily quota. Default 60 s.
   */
  rejectedTokenMinAgeMs?: number;
  retry?: RetryOptions;
  /** Fraction of the quota left at or below which `quota-low` is emitted. Default 0.2. */
  quotaLowRatio?: number;
  onEvent?: AuthEventListener;
  clock?: Clock;
  random?: () => number;
}

export interface AuthStatus {
  mode: AuthMode;
  /** Namespace hash (safe to log). */
  namespace: string;
  quota: { used: number; limit: number; remaining: number; windowMs: number; retryAt: number | null } | null;
  token: { expiresAt: number; issuedAt: number; refreshAt: number } | null;
  block: {
    code: BlockCode;
    reason: string;
    createdAt: number;
    until: number | null;
    appliesToCurrentCredentials: boolean;
  } | null;
  lease: { fence: number; expiresAt: number } | null;
}

export interface RequestOptions {
  signal?: AbortSignal;
}

export interface TokenProvider {
  readonly mode: AuthMode;
  /**
   * The `Authorization` header value (`JWT …` or `Bearer …`). While a token that is not yet due is
   * held in memory this answers without I/O.
   */
  getAuthorization(options?: RequestOptions): Promise<string>;
  /**
   * Report that the API answered 401 to `rejectedAuthorization`. Resolves with the header to retry
   * with once (a newer stored token, or one fleet-wide refresh), or rejects with a typed error.
   */
  handleUnauthorized(rejectedAuthorization: string, options?: RequestOptions): Promise<string>;
  status(): Promise<AuthStatus>;
  /** Clears a shared block after support has reactivated the user. */
  unblock(): Promise<void>;
  /** Subscribe to events; returns the unsubscribe function. */
  onEvent(listener: AuthEventListener): () => void;
  /** Stops background refresh and closes the store if the provider owns it. */
  close(): Promise<void>;
}
