import type { AuthMode, Credentials } from '../credentials.ts';
import type { AuthEventListener } from '../diagnostics/events.ts';
import type { BlockCode } from '../errors.ts';
import type { JwtIssuer } from '../issuer/issuer.ts';
import type { TokenStore } from '../store/contract.ts';

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
   * After a refresh made because the API answered 401, a 401 for the new token within this interval is
   * the endpoint's, not the token's (`ENDPOINT_REFUSED`, the token is kept), and no replica refreshes for
   * a 401 again before it ends. The interval doubles with each 401-driven refresh that follows soon after
   * another, up to `quota.windowMs`. The first 401 for a token always refreshes once. Default 60 s.
   */
  unauthorizedRefreshIntervalMs?: number;
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

/** Options of {@link TokenProvider.handleUnauthorized}. */
export interface UnauthorizedOptions extends RequestOptions {
  /**
   * The 401 came on a call already resent with the header an earlier `handleUnauthorized` returned. The
   * provider then never refreshes: the endpoint refuses this API user (`ENDPOINT_REFUSED`).
   */
  retried?: boolean;
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
   * with once (a newer stored token, or one fleet-wide refresh), or rejects with a typed error
   * (`ENDPOINT_REFUSED` when the 401 is the endpoint's, not the token's). Report a second 401 on the
   * same call with `{ retried: true }`: it never refreshes.
   */
  handleUnauthorized(rejectedAuthorization: string, options?: UnauthorizedOptions): Promise<string>;
  status(): Promise<AuthStatus>;
  /** Clears a shared block after support has reactivated the user. */
  unblock(): Promise<void>;
  /** Subscribe to events; returns the unsubscribe function. */
  onEvent(listener: AuthEventListener): () => void;
  /** Stops background refresh and closes the store if the provider owns it. */
  close(): Promise<void>;
}
