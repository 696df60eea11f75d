import { ConnexeaseAuthError } from '../errors.ts';

/**
 * Remembers "nothing can succeed before `retryAt`" (the quota is spent, or the fleet is backing off
 * from an outage), so that later calls fail fast with the same error and no I/O until then.
 */
export class RetryGate {
  #closed: { error: ConnexeaseAuthError; until: number } | null = null;

  /** Closes the gate until `error.retryAt` (ignored without a `retryAt`; the later of two wins). */
  close(error: ConnexeaseAuthError): void {
    const until = error.retryAt;
    if (until === undefined || !Number.isFinite(until)) return;
    if (this.#closed !== null && this.#closed.until >= until) return;
    this.#closed = { error, until };
  }

  /** Throws a copy of the remembered error while `now` is before its `retryAt`. */
  check(now: number): void {
    const closed = this.#closed;
    if (closed === null) return;
    if (!(now < closed.until)) {
      this.#closed = null;
      return;
    }
    const { error } = closed;
    throw new ConnexeaseAuthError(error.code, error.message, {
      retryAt: closed.until,
      retryable: error.retryable,
      ...(error.status === undefined ? {} : { status: error.status }),
      ...(error.cause === undefined ? {} : { cause: error.cause }),
    });
  }

  /** The time the gate opens again, or `null` when it is open. */
  openAt(now: number): number | null {
    return this.#closed !== null && now < this.#closed.until ? this.#closed.until : null;
  }
}
