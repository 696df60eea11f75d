import { type ConnexeaseAuthErrorCode, isConnexeaseAuthError } from '@connexease-kit/auth-core';

/** The exit codes of `connexease-auth`. Stable: scripts and monitoring may depend on them. */
export interface ExitCodes {
  /** Done; for `status`: healthy (no block applies, quota left). */
  readonly OK: 0;
  /** Usage or configuration error (bad flag, missing username, `--password`, unconfirmed `unblock`). */
  readonly USAGE: 1;
  /** The store could not be reached or read (`STORE_UNAVAILABLE`). */
  readonly STORE_UNAVAILABLE: 2;
  /** A block stops issuing (`BLOCKED`; `status` with a block that applies). */
  readonly BLOCKED: 3;
  /** The issue quota is spent (`QUOTA_EXHAUSTED`; `status` with nothing remaining). */
  readonly QUOTA_EXHAUSTED: 4;
  /** `POST /jwt/` refused the credentials or the request (401, 403, 400). */
  readonly AUTH_FAILED: 5;
  /** `POST /jwt/` kept failing: 5XX, network error, timeout or an unusable answer. */
  readonly ENDPOINT_UNAVAILABLE: 6;
  /** `token --no-issue` and no usable token is cached. */
  readonly NO_CACHED_TOKEN: 7;
  /** An unexpected error (a bug, or an environment we did not foresee); `--debug` shows the stack. */
  readonly INTERNAL: 70;
  /** Interrupted (Ctrl-C), nothing more was done. */
  readonly INTERRUPTED: 130;
}

/** The exit codes of `connexease-auth`, by name. */
export const EXIT_CODES: ExitCodes = Object.freeze({
  OK: 0,
  USAGE: 1,
  STORE_UNAVAILABLE: 2,
  BLOCKED: 3,
  QUOTA_EXHAUSTED: 4,
  AUTH_FAILED: 5,
  ENDPOINT_UNAVAILABLE: 6,
  NO_CACHED_TOKEN: 7,
  INTERNAL: 70,
  INTERRUPTED: 130,
});

const BY_CODE: Record<ConnexeaseAuthErrorCode, number> = {
  CONFIG_INVALID: EXIT_CODES.USAGE,
  STORE_UNAVAILABLE: EXIT_CODES.STORE_UNAVAILABLE,
  BLOCKED: EXIT_CODES.BLOCKED,
  QUOTA_EXHAUSTED: EXIT_CODES.QUOTA_EXHAUSTED,
  INVALID_CREDENTIALS: EXIT_CODES.AUTH_FAILED,
  AGENT_BANNED: EXIT_CODES.AUTH_FAILED,
  ACCOUNT_INACTIVE: EXIT_CODES.AUTH_FAILED,
  INVALID_REQUEST: EXIT_CODES.AUTH_FAILED,
  TOKEN_REJECTED: EXIT_CODES.AUTH_FAILED,
  ENDPOINT_REFUSED: EXIT_CODES.AUTH_FAILED,
  ACCESS_TOKEN_REJECTED: EXIT_CODES.AUTH_FAILED,
  TOKEN_ENDPOINT_UNAVAILABLE: EXIT_CODES.ENDPOINT_UNAVAILABLE,
  INVALID_RESPONSE: EXIT_CODES.ENDPOINT_UNAVAILABLE,
  TIMEOUT: EXIT_CODES.ENDPOINT_UNAVAILABLE,
  ABORTED: EXIT_CODES.INTERRUPTED,
};

/** The exit code for a failure: by `ConnexeaseAuthError` code, `INTERNAL` for anything unexpected. */
export function exitCodeFor(error: unknown): number {
  if (isConnexeaseAuthError(error)) return BY_CODE[error.code] ?? EXIT_CODES.INTERNAL;
  return EXIT_CODES.INTERNAL;
}
