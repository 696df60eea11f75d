import { ForceRetryError } from 'ky';

/** The 401 recovery of one ky call, shared by its attempts (the fetch wrapper made for that call owns it). */
export interface CallRecovery {
  /** Whether this call already refreshed its token once: a second 401 is then the endpoint's answer. */
  refreshed: boolean;
}

/** A 401 the fetch wrapper turned into a forced ky retry, waiting for `beforeRetry` or `beforeError`. */
export interface UnauthorizedAttempt {
  /** The `Authorization` value the API rejected (a secret: kept here, never on the error). */
  readonly rejected: string;
  readonly call: CallRecovery;
  /** What the provider threw while refreshing, handed to `beforeError` hooks in place of the retry. */
  failure?: Error;
}

/** The `code` of the forced retry a 401 becomes; `beforeRetry` hooks see it on the `ForceRetryError`. */
export const UNAUTHORIZED_RETRY_CODE = 'CONNEXEASE_UNAUTHORIZED';

const attempts = new WeakMap<object, UnauthorizedAttempt>();

/**
 * The error the fetch wrapper throws for a 401 so that ky's own retry pipeline resends the request:
 * the retry budget, the per-attempt timeout, the kept request body and `beforeRetry` hooks all apply
 * as to any ky retry. Its details stay in a WeakMap, so the error carries no token.
 */
export function unauthorizedRetry(attempt: UnauthorizedAttempt): ForceRetryError {
  const error = new ForceRetryError({ code: UNAUTHORIZED_RETRY_CODE, delay: 0 });
  attempts.set(error, attempt);
  return error;
}

/** The 401 behind a ky error, if the error is one {@link unauthorizedRetry} made. */
export function unauthorizedAttempt(error: unknown): UnauthorizedAttempt | undefined {
  return typeof error === 'object' && error !== null ? attempts.get(error) : undefined;
}
