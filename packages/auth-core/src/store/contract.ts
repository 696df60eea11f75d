import type { BlockCode } from '../errors.ts';

/**
 * The `TokenStore` contract. The provider derives `ns` (a hash of base URL + API user + auth mode);
 * a store never sees credentials. Every write sets its own expiry in the same atomic step, so no
 * record lives forever. Times are epoch milliseconds on the store's clock: where a store has its own
 * clock (Redis `TIME`) quota and lease times come from it, never from the calling process, and the
 * provider writes token records' times on it too (see {@link TokenRecord}). A store without a clock of
 * its own (memory, file) uses the clock it was given, and that is its store clock.
 */
export interface TokenStore {
  /** The current token record, or `null`. */
  readToken(ns: string): Promise<TokenRecord | null>;
  /**
   * Stores `record` only if `lease` is still held by its owner and its fence is the newest granted
   * for `ns` (a stale leader cannot overwrite a newer token). Returns whether it was written. The
   * record expires at `record.expiresAt` on the store's clock (a store with its own clock measures the
   * TTL with it, not with the caller's). Wakes every `waitForToken` on `ns`.
   */
  writeToken(ns: string, lease: Lease, record: TokenRecord): Promise<boolean>;
  /** Deletes the token only if its value is still `value` (compare-and-delete). Returns whether it did. */
  discardToken(ns: string, value: string): Promise<boolean>;

  /** Grants the lease (lock) for `ns` or returns `null` if someone else holds it. Fence grows with every grant. */
  acquireLease(ns: string, options: { ttlMs: number }): Promise<Lease | null>;
  /** Extends the lease if `lease.id` still owns it; returns the new lease or `null`. */
  extendLease(ns: string, lease: Lease, ttlMs: number): Promise<Lease | null>;
  /** Releases the lease if `lease.id` still owns it. Returns whether it did. */
  releaseLease(ns: string, lease: Lease): Promise<boolean>;
  /** The current lease holder, for status displays. */
  readLease(ns: string): Promise<Lease | null>;

  /**
   * Reserves one `POST /jwt/` attempt in the sliding window, atomically, for the current lease holder
   * only. In this order, in one atomic step:
   *
   * 1. Unless `request.lease` is the current lease (same id and fence, not lapsed), answers
   *    `{ granted: false, denied: 'lease' }` and changes nothing.
   * 2. Re-adds every entry of `request.known` whose id it does not hold (at its own time, or at the
   *    store's now if that is later; entries already out of the window are skipped). Idempotent by id.
   * 3. If `id` was reserved before, answers `granted: true` (the same id never counts twice).
   * 4. While the store's record of past attempts is lost ({@link QuotaRecordState.lostThrough} inside the
   *    window), denies with `denied: 'lost'` and `retryAt = lostThrough + windowMs`.
   * 5. Grants iff fewer than `limit` entries are inside the window (else `denied: 'quota'`).
   *
   * Entries stay until they age out of the window, whatever happened to the attempt. Every answer
   * carries the window's entries and the record's epoch, for the caller to remember (see
   * {@link QuotaRecordState}).
   */
  reserveIssue(ns: string, request: QuotaRequest): Promise<QuotaDecision>;
  /** The reservations inside the window, read without reserving (and without writing anything). */
  quotaUsage(ns: string, options: { windowMs: number }): Promise<QuotaUsage>;
  /**
   * Re-adds the entries a replica remembers that the store no longer holds (step 2 of `reserveIssue`,
   * without a lease: re-adding a real attempt is always safe), then answers like `quotaUsage`. A
   * replica calls it when it finds the store forgot attempts it knows of (guarantee 10).
   */
  restoreQuota(ns: string, request: QuotaRestoreRequest): Promise<QuotaUsage>;
  /**
   * Forgets that the record of past attempts was lost ({@link QuotaRecordState.lostThrough} becomes `null`),
   * so the window counts only the entries it holds. For an operator who knows no attempt was made in
   * the lost past (`connexease-auth forget-loss`). Entries are kept. Returns whether a loss was
   * recorded.
   */
  clearQuotaLoss(ns: string): Promise<boolean>;

  readBlock(ns: string): Promise<BlockRecord | null>;
  /** Writes a block; without `ttlMs` it stays until `clearBlock` (the store still bounds it by a long safety TTL). */
  writeBlock(ns: string, block: BlockRecord, ttlMs?: number): Promise<void>;
  clearBlock(ns: string): Promise<void>;

  /**
   * Resolves with the current token record as soon as it differs from `known` (by value and fence),
   * immediately if it already does, or with whatever is current when `timeoutMs` passes. Rejects with
   * an `ABORTED` error when `signal` aborts. Notification where the store has one, polling otherwise.
   */
  waitForToken(ns: string, options: WaitOptions): Promise<TokenRecord | null>;

  /** Releases resources this store created (connections, timers, watchers). */
  close(): Promise<void>;
}

/**
 * A stored token. Its times are on the store's clock, so that replicas whose clocks differ read the
 * same instants: the writer shifts its local times by its estimate of the store's clock (learnt from
 * `quotaUsage().now`), and each reader shifts them back onto its own.
 */
export interface TokenRecord {
  /** The raw JWT. */
  value: string;
  /** When the token stops working (epoch ms, store clock; from `exp`, corrected for the server's skew). */
  expiresAt: number;
  /** When it was received (epoch ms, store clock). */
  issuedAt: number;
  /** The fence of the lease that wrote it. */
  fence: number;
  /**
   * The fleet's last refresh made because the API answered 401, as the provider wrote it (guarantee 12);
   * absent when none is remembered. A store keeps it exactly as given: it is how every replica learns that
   * 401-driven refreshes are being spaced.
   */
  unauthorizedRefresh?: UnauthorizedRefresh;
}

/** When the fleet last refreshed because of a 401, and how long it waits before another such refresh. */
export interface UnauthorizedRefresh {
  /** When that refresh started (epoch ms, store clock). */
  at: number;
  /**
   * How long after `at` a 401 for the current token is taken for the endpoint's, not the token's, and no
   * refresh for a 401 starts. Doubles with each 401-driven refresh that follows soon after another.
   */
  intervalMs: number;
}

export interface Lease {
  /** Owner id: random, unique per grant. */
  id: string;
  /** Fencing number: strictly greater than every fence granted before for this namespace. */
  fence: number;
  /** When the lease lapses unless extended (store clock). */
  expiresAt: number;
}

/** One reservation in the window: its id and when it was made (store clock). */
export interface QuotaEntry {
  id: string;
  at: number;
}

export interface QuotaRequest {
  /** Reservation id; reusing it never counts twice. */
  id: string;
  limit: number;
  windowMs: number;
  /** The caller's lease, as `acquireLease`/`extendLease` returned it: the reservation is refused unless it is current. */
  lease: Lease;
  /**
   * The entries the caller remembers from earlier answers (at most `MAX_KNOWN_QUOTA_ENTRIES`, 64).
   * The store re-adds those it lost before deciding. Absent or empty: nothing to re-add.
   */
  known?: readonly QuotaEntry[];
}

export interface QuotaRestoreRequest {
  windowMs: number;
  /** The entries to re-add where missing (at most `MAX_KNOWN_QUOTA_ENTRIES`, 64). */
  known: readonly QuotaEntry[];
}

/**
 * What every quota answer tells about the store's record of past attempts, so that replicas can
 * notice when it was lost (guarantee 10):
 *
 * - `epoch` names one unbroken life of the record. The store creates it (random, unique) when it
 *   first writes a quota entry for the namespace and there is no epoch, and keeps it (with a long TTL,
 *   refreshed by every quota write) as long as the record lives. A replica that saw epoch A and now
 *   reads B (or `null`) knows the store lost its record in between.
 * - `lostThrough` is set when the store itself can tell that attempts up to that time (store clock)
 *   were lost and nobody has re-added them: it remembers the id and time of its newest entry beside
 *   the epoch, and that entry is gone before it could have aged out (only the quota key was lost), or
 *   its own record was unreadable (the file store's corrupt file: then the time it found out). While
 *   `lostThrough > now - windowMs` the window counts as spent. Re-adding that newest entry (a replica
 *   that remembers it remembers the whole window) or `clearQuotaLoss` ends it.
 */
export interface QuotaRecordState {
  /** The window's entries after this call, oldest first (store clock; at most 64, the newest). */
  entries: QuotaEntry[];
  /** The record's epoch; `null` when the store holds no quota record for the namespace (never used, or lost with everything). */
  epoch: string | null;
  /** Attempts up to this time (store clock) were lost and count as spent for a window after it; `null` when nothing is known lost. */
  lostThrough: number | null;
}

export interface QuotaDecision extends QuotaRecordState {
  granted: boolean;
  /** Reservations inside the window after this decision (entries held; a lost past is not counted here). */
  used: number;
  limit: number;
  /** When denied for the quota or a lost past: the time (store clock) at which a reservation can be granted. */
  retryAt?: number;
  /** Why it was not granted: the window is spent, its past was lost, or `request.lease` is not the current lease. */
  denied?: 'quota' | 'lost' | 'lease';
}

export interface QuotaUsage extends QuotaRecordState {
  /** Reservations inside the window. */
  used: number;
  /** Their times (store clock), oldest first. */
  reservedAt: number[];
  /** The store's clock when it answered. */
  now: number;
}

export interface BlockRecord {
  /** What the token endpoint answered when the block was written. */
  code: BlockCode;
  /** HTTP status of that answer. */
  status: number;
  /**
   * What happened, for people: the provider's one-line description, quoting the endpoint's own message
   * (sanitised: no token, password or `Authorization` value, at most 160 characters of the server's words).
   */
  reason: string;
  /** When it was written (epoch ms). */
  createdAt: number;
  /** Until when it holds; absent means until `clearBlock`. */
  until?: number;
  /** For `INVALID_CREDENTIALS`: the keyed fingerprint of the rejected credentials. A different password is not blocked. */
  fingerprint?: string;
}

export interface WaitOptions {
  /** What the caller already knows; resolves as soon as the stored record differs. */
  known: TokenRecord | null;
  timeoutMs: number;
  signal?: AbortSignal;
}
