import { refreshPoint } from './expiry.ts';
import { formatAuthorization } from './schemes.ts';
import type { TokenRecord } from './store.ts';
import type { StoreClock } from './store-clock.ts';

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
  };
}

/**
 * The provider's in-memory token and what it knows about tokens: the one it serves, the newest
 * `issuedAt` it has seen (the fleet backoff's notion of "answered"), and values the API rejected.
 */
export class TokenCache {
  /** The token served from memory, or `null`. Read directly by the hot path. */
  held: HeldToken | null = null;
  /** Newest `issuedAt` of any token seen, served or rejected (store clock, comparable with reservations). */
  knownIssuedAt: number = Number.NEGATIVE_INFINITY;
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
    if (record === null || this.#rejected.has(record.value)) return null;
    this.noteIssuedAt(record.issuedAt);
    const token = holdRecord(record, this.#refreshBeforeExpiryMs, this.#storeClock.offset);
    if (token === null || !(now < token.expiresAt)) return null;
    if (need === 'fresh' && !(now < token.refreshAt)) return null;
    return token;
  }

  /** Serves `token` from now on; returns the token it replaces. */
  hold(token: HeldToken): HeldToken | null {
    const previous = this.held;
    this.held = token;
    this.noteIssuedAt(token.storeIssuedAt);
    return previous;
  }

  /** Whether `token` is the one already held (same value and fence). */
  holds(token: HeldToken): boolean {
    return this.held !== null && this.held.value === token.value && this.held.fence === token.fence;
  }

  /** Never serve `value` again; drops it if it is held. */
  reject(value: string): void {
    this.#rejected.add(value);
    if (this.#rejected.size > REJECTED_MEMORY) {
      const oldest = this.#rejected.values().next().value;
      if (oldest !== undefined) this.#rejected.delete(oldest);
    }
    if (this.held?.value === value) this.held = null;
  }

  isRejected(value: string): boolean {
    return this.#rejected.has(value);
  }

  /** Notes a token's `issuedAt` on the store's clock. */
  noteIssuedAt(issuedAt: number): void {
    if (Number.isFinite(issuedAt) && issuedAt > this.knownIssuedAt) this.knownIssuedAt = issuedAt;
  }
}
