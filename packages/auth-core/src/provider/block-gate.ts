import type { AuthEvent } from '../diagnostics/events.ts';
import { type BlockCode, ConnexeaseAuthError } from '../errors.ts';
import type { BlockRecord } from '../store/contract.ts';
import type { GuardedStore } from '../store/store-guard.ts';
import type { Clock } from './provider-types.ts';

/**
 * How long a permanent block (403) is trusted from memory before the store is read again, so that an
 * `unblock()` from another process (a CLI, another replica) is noticed within seconds.
 */
export const PERMANENT_BLOCK_RECHECK_MS = 5000;

const BLOCK_CODES: ReadonlySet<string> = new Set<BlockCode>([
  'INVALID_CREDENTIALS',
  'AGENT_BANNED',
  'ACCOUNT_INACTIVE',
]);

/** Whether an issuer error is one that writes a fleet-wide block. */
export function isBlockCode(code: string): code is BlockCode {
  return BLOCK_CODES.has(code);
}

export interface BlockGateOptions {
  store: GuardedStore;
  clock: Clock;
  emit: (event: AuthEvent) => void;
  /** The keyed fingerprint of this provider's credentials (slow: computed only when a 401 block is involved). */
  fingerprint: () => Promise<string>;
  /** TTL of a 401 block. */
  invalidCredentialsBlockMs: number;
}

/**
 * Guarantee 5: bad credentials stop the fleet. Writes the shared block when `POST /jwt/` answers 401 or
 * 403, and fails every later refresh fast with `BLOCKED` while a block applies to these credentials.
 *
 * A seen block is cached: a 401 block until its `until` (the same password cannot become valid), a
 * permanent block only for {@link PERMANENT_BLOCK_RECHECK_MS}. A 401 block whose fingerprint is not ours
 * (the password was changed) does not apply.
 */
export class BlockGate {
  readonly #options: BlockGateOptions;
  #cached: { record: BlockRecord; until: number } | null = null;
  #lastReported: BlockRecord | null = null;
  /** `createdAt` of the newest block seen: that attempt was answered (see fleet-backoff.ts). */
  lastAnswerAt: number = Number.NEGATIVE_INFINITY;

  constructor(options: BlockGateOptions) {
    this.#options = options;
  }

  /** Throws `BLOCKED` when a block applies: from memory without I/O while cached, else from the store. */
  async check(ns: string): Promise<void> {
    const now = this.#options.clock.now();
    if (this.#cached !== null) {
      if (now < this.#cached.until) throw blockedError(this.#cached.record);
      this.#cached = null;
    }
    const record = await this.#options.store.readBlock(ns);
    if (record === null) return;
    if (Number.isFinite(record.createdAt) && record.createdAt > this.lastAnswerAt)
      this.lastAnswerAt = record.createdAt;
    if (!(await this.applies(record, now))) return;
    this.#cache(record, now);
    if (!sameBlock(record, this.#lastReported)) {
      this.#lastReported = record;
      this.#options.emit({ type: 'blocked', ns, code: record.code, ...untilOf(record), source: 'store' });
    }
    throw blockedError(record);
  }

  /** Whether `record` stops these credentials at `now`. */
  async applies(record: BlockRecord, now: number = this.#options.clock.now()): Promise<boolean> {
    if (record.until !== undefined && !(now < record.until)) return false;
    if (record.code === 'INVALID_CREDENTIALS' && typeof record.fingerprint === 'string') {
      return record.fingerprint === (await this.#options.fingerprint());
    }
    return true;
  }

  /**
   * Records fleet-wide that the token endpoint answered `error` (401 or 403). A store failure is
   * reported as an event and the block is still kept in memory; this never throws.
   */
  async record(ns: string, error: ConnexeaseAuthError & { code: BlockCode }): Promise<void> {
    const { clock, store, invalidCredentialsBlockMs } = this.#options;
    const createdAt = clock.now();
    const block: BlockRecord = {
      code: error.code,
      status: error.status ?? (error.code === 'INVALID_CREDENTIALS' ? 401 : 403),
      reason: error.message,
      createdAt,
    };
    let ttlMs: number | undefined;
    if (error.code === 'INVALID_CREDENTIALS') {
      ttlMs = invalidCredentialsBlockMs;
      block.until = createdAt + ttlMs;
      try {
        block.fingerprint = await this.#options.fingerprint();
      } catch {
        // Without a fingerprint the block applies to any password: stricter, never riskier.
      }
    }
    this.lastAnswerAt = Math.max(this.lastAnswerAt, createdAt);
    this.#cache(block, createdAt);
    this.#lastReported = block;
    this.#options.emit({ type: 'blocked', ns, code: block.code, ...untilOf(block), source: 'local' });
    try {
      await store.writeBlock(ns, block, ttlMs);
    } catch {
      // Reported as a store-error event; this process still honours the block from memory.
    }
  }

  /** Forgets the cached block (after `unblock()`). */
  forget(): void {
    this.#cached = null;
    this.#lastReported = null;
  }

  #cache(record: BlockRecord, now: number): void {
    this.#cached = { record, until: record.until ?? now + PERMANENT_BLOCK_RECHECK_MS };
  }
}

/** The `BLOCKED` error for a block written by this or another replica. */
export function blockedError(record: BlockRecord): ConnexeaseAuthError {
  const since = isoTime(record.createdAt);
  let message: string;
  switch (record.code) {
    case 'INVALID_CREDENTIALS':
      message =
        `JWT issuing is blocked: POST /jwt/ rejected this password (401) at ${since}, and no replica sends it ` +
        `again before ${isoTime(record.until)}. Fix the password; a changed password is tried at once`;
      break;
    case 'AGENT_BANNED':
      message =
        `JWT issuing is blocked: the API user was banned (403) at ${since}. Ask Connexease support to ` +
        'reactivate it, then call unblock()';
      break;
    default:
      message =
        `JWT issuing is blocked: the API user's account was inactive (403) at ${since}. Ask Connexease ` +
        'support to activate it, then call unblock()';
  }
  return new ConnexeaseAuthError('BLOCKED', message, {
    status: record.status,
    blockedCode: record.code,
    ...(record.until === undefined ? {} : { retryAt: record.until }),
  });
}

function untilOf(record: BlockRecord): { until?: number } {
  return record.until === undefined ? {} : { until: record.until };
}

function sameBlock(a: BlockRecord, b: BlockRecord | null): boolean {
  return b !== null && a.code === b.code && a.createdAt === b.createdAt;
}

function isoTime(time: number | undefined): string {
  return typeof time === 'number' && Number.isFinite(time) ? new Date(time).toISOString() : 'an unknown time';
}
