import { ConnexeaseAuthError } from '@connexease-kit/auth-core';

/** The store could not do its job (I/O error, lock timeout, closed, unknown file version). */
export function storeUnavailable(message: string, cause?: unknown): ConnexeaseAuthError {
  return new ConnexeaseAuthError('STORE_UNAVAILABLE', message, { retryable: true, cause });
}

/** A caller passed an argument or option the store cannot use. */
export function invalidArgument(message: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError('CONFIG_INVALID', message);
}

/** The errno code of a Node.js system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code;
  }
  return undefined;
}

/** A short description of an I/O failure for messages: the errno code and Node's message (paths only, no data). */
export function describeIoError(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
