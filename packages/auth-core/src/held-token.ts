import { refreshPoint } from './expiry.ts';
import { formatAuthorization } from './schemes.ts';
import type { TokenRecord } from './store.ts';

/** A JWT ready to serve: its header value and its times on the local clock. */
export interface HeldToken {
  readonly value: string;
  /** `JWT <value>`, built once so the hot path only returns it. */
  readonly authorization: string;
  readonly issuedAt: number;
  readonly expiresAt: number;
  readonly refreshAt: number;
  /** Fence of the lease that wrote it (0 when it never reached the store). */
  readonly fence: number;
}

/** What a refresh is after: any token that still works, or one that is not yet due. */
export type TokenNeed = 'usable' | 'fresh';

/** How many rejected values are remembered (so a stale read cannot bring one back). */
const REJECTED_MEMORY = 16;

/**
 * Turns a stored record into a {@link HeldToken}, with `refreshAt` from this provider's own
 * `refreshBeforeExpiryMs`. A record that is malformed or not header-safe is `null`: it is never served.
 */
export function holdRecord(record: TokenRecord, refreshBeforeExpiryMs: number): HeldToken | null {
  const { value, issuedAt, expiresAt, fence } = record;
  if (!Number.isFinite(issuedAt) || !Number.isFinite(expiresAt)) return null;
  let authorization: string;
  try {
    authorization = formatAuthorization('jwt', value);
  } catch {
    return null;
  }
  const refreshAt = refreshPoint(issuedAt, expiresAt, refreshBeforeExpiryMs);
  return { value, authorization, issuedAt, expiresAt, refreshAt, fence: Number.isFinite(fence) ? fence : 0 };
}

/**
 * The provider's in-memory token and what it knows about tokens: the one it serves, the newest
 * `issuedAt` it has seen (the fleet backoff's notion of "answered"), and values the API rejected.
 */
export class TokenCache {
  /** The token served from memory, or `null`. Read directly by the hot path. */
  held: HeldToken | null = null;
  /** Newest `issuedAt` of any token seen, served or rejected (local clock). */
  knownIssuedAt: number = Number.NEGATIVE_INFINITY;
  readonly #rejected = new Set<string>();
  readonly #refreshBeforeExpiryMs: number;

  constructor(refreshBeforeExpiryMs: number) {
    this.#refreshBeforeExpiryMs = refreshBeforeExpiryMs;
  }

  /**
   * `record` as a token this provider may serve for `need` at `now`, or `null`: absent, malformed,
   * rejected by the API, expired, or (for `'fresh'`) already due.
   */
  suitable(record: TokenRecord | null, need: TokenNeed, now: number): HeldToken | null {
    if (record === null || this.#rejected.has(record.value)) return null;
    this.noteIssuedAt(record.issuedAt);
    const token = holdRecord(record, this.#refreshBeforeExpiryMs);
    if (token === null || !(now < token.expiresAt)) return null;
    if (need === 'fresh' && !(now < token.refreshAt)) return null;
    return token;
  }

  /** Serves `token` from now on; returns the token it replaces. */
  hold(token: HeldToken): HeldToken | null {
    const previous = this.held;
    this.held = token;
    this.noteIssuedAt(token.issuedAt);
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

  noteIssuedAt(issuedAt: number): void {
    if (Number.isFinite(issuedAt) && issuedAt > this.knownIssuedAt) this.knownIssuedAt = issuedAt;
  }
}
