import type { TokenRecord, UnauthorizedRefresh } from '../store/contract.ts';
import type { StoreClock } from '../store/store-clock.ts';
import { isUnauthorizedRefresh } from '../store/store-input.ts';
import { refreshPoint } from '../token/expiry.ts';
import { formatAuthorization } from '../token/schemes.ts';
import { laterSpacing } from './unauthorized-spacing.ts';

/** A JWT ready to serve: its header value and its times on the local clock. */
export interface HeldToken {
  readonly value: string;
  /** `JWT <value>`, built once so the hot path only returns it. */
  readonly authorization: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly refreshAt: number;
  /**
   * `issuedAt` on the store's clock, as the record says (or as this replica stamped it): what times
   * compared across replicas use (the token's age on a 401, the fleet backoff's "answered").
   */
  readonly storeIssuedAt: number;
  /** Fence of the lease that wrote it (0 when it never reached the store). */
  readonly fence: number;
  /** The fleet's last 401-driven refresh as this token's record carries it (store clock), or `null`. */
  readonly unauthorizedRefresh: UnauthorizedRefresh | null;
}

/** What a refresh is after: any token that still works, or one that is not yet due. */
export type TokenNeed = 'usable' | 'fresh';

/** How many rejected values are remembered (so a stale read cannot bring one back). */
const REJECTED_MEMORY = 16;

/**
 * Turns a stored record (times on the store's clock) into a {@link HeldToken} (times on the local clock:
 * the record's minus `offset`, store − local), with `refreshAt` from this provider's own
 * `refreshBeforeExpiryMs`. A record that is malformed or not header-safe is `null`: it is never served.
 */
export function holdRecord(record: TokenRecord, refreshBeforeExpiryMs: number, offset = 0): HeldToken | null {
  const { value, fence } = record;
  if (!Number.isFinite(record.issuedAt) || !Number.isFinite(record.expiresAt)) return null;
  let authorization: string;
  try {
    authorization = formatAuthorization('jwt', value);
  } catch {
    return null;
  }
  const issuedAt = record.issuedAt - offset;
  const expiresAt = record.expiresAt - offset;
  const refreshAt = refreshPoint(issuedAt, expiresAt, refreshBeforeExpiryMs);
  return {
    value,
    authorization,
    issuedAt,
    expiresAt,
    refreshAt,
    storeIssuedAt: record.issuedAt,
    fence: Number.isFinite(fence) ? fence : 0,
    unauthorizedRefresh: isUnauthorizedRefresh(record.unauthorizedRefresh)
      ? { at: record.unauthorizedRefresh.at, intervalMs: record.unauthorizedRefresh.intervalMs }
      : null,
  };
}

/**
 * The provider's in-memory token and what it knows about tokens: the one it serves, the newest
 * `issuedAt` it has seen (the fleet backoff's notion of "answered"), values the API rejected, and the
 * fleet's last 401-driven refresh.
 */
export class TokenCache {
  /** The token served from memory, or `null`. Read directly by the hot path. */
  held: HeldToken | null = null;
  /** Newest `issuedAt` of any token seen, served or rejected (store clock, comparable with reservations). */
  knownIssuedAt: number = Number.NEGATIVE_INFINITY;
  /**
   * The newest 401-driven refresh seen in any record (or made here): what spaces the next one. Kept in
   * memory too, so that a store which drops the record's field still spaces this replica's refreshes.
   */
  knownSpacing: UnauthorizedRefresh | null = null;
  /** A 401-driven refresh this replica started and has no replacement for yet. */
  #pending: { rejected: string; spacing: UnauthorizedRefresh } | null = null;
  readonly #rejected = new Set<string>();
  readonly #refreshBeforeExpiryMs: number;
  readonly #storeClock: StoreClock;

  constructor(refreshBeforeExpiryMs: number, storeClock: StoreClock) {
    this.#refreshBeforeExpiryMs = refreshBeforeExpiryMs;
    this.#storeClock = storeClock;
  }

  /**
   * `record` as a token this provider may serve for `need` at `now`, or `null`: absent, malformed,
   * rejected by the API, expired, or (for `'fresh'`) already due.
   */
  suitable(record: TokenRecord | null, need: TokenNeed, now: number): HeldToken | null {
    if (record === null) return null;
    if (isUnauthorizedRefresh(record.unauthorizedRefresh)) this.noteSpacing(record.unauthorizedRefresh);
    if (this.#rejected.has(record.value)) return null;
    this.noteIssuedAt(record.issuedAt);
    const token = holdRecord(record, this.#refreshBeforeExpiryMs, this.#storeClock.offset);
    if (token === null || !(now < token.expiresAt)) return null;
    if (need === 'fresh' && !(now < token.refreshAt)) return null;
    return token;
  }

  /** Serves `token` from now on; returns the token it replaces. A replacement ends a pending 401 refresh. */
  hold(token: HeldToken): HeldToken | null {
    const previous = this.held;
    this.held = token;
    this.noteIssuedAt(token.storeIssuedAt);
    this.noteSpacing(token.unauthorizedRefresh);
    if (this.#pending !== null && this.#pending.rejected !== token.value) this.#pending = null;
    return previous;
  }

  /** Whether `token` is the one already held (same value and fence). */
  holds(token: HeldToken): boolean {
    return this.held !== null && this.held.value === token.value && this.held.fence === token.fence;
  }

  /**
   * The API answered 401 to `value` and a refresh for it starts, recording `spacing` on the token it
   * issues: `value` is never adopted from the store again, but a held `value` keeps serving (other
   * endpoints may still accept it) until a replacement is in hand.
   */
  beginUnauthorizedRefresh(value: string, spacing: UnauthorizedRefresh): void {
    this.#rejected.add(value);
    if (this.#rejected.size > REJECTED_MEMORY) {
      const oldest = this.#rejected.values().next().value;
      if (oldest !== undefined) this.#rejected.delete(oldest);
    }
    this.#pending = { rejected: value, spacing };
  }

  /** The spacing of the 401-driven refresh this replica runs, if one is pending. */
  get pendingSpacing(): UnauthorizedRefresh | null {
    return this.#pending?.spacing ?? null;
  }

  isRejected(value: string): boolean {
    return this.#rejected.has(value);
  }

  /** Notes a 401-driven refresh seen in a record (the later one wins). */
  noteSpacing(spacing: UnauthorizedRefresh | null): void {
    this.knownSpacing = laterSpacing(this.knownSpacing, spacing);
  }

  /** Notes a token's `issuedAt` on the store's clock. */
  noteIssuedAt(issuedAt: number): void {
    if (Number.isFinite(issuedAt) && issuedAt > this.knownIssuedAt) this.knownIssuedAt = issuedAt;
  }
}
