import { ConnexeaseAuthError, isConnexeaseAuthError } from '@connexease-kit/auth-core';

/** `user:password@` inside anything that looks like a URL. */
const URL_CREDENTIALS = /\/\/[^/@\s]*@/g;

/** An error's message with any URL credentials masked. */
export function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(URL_CREDENTIALS, '//***@');
}

/**
 * A copy of a Redis error that keeps name, message and code but drops everything else: ioredis
 * attaches the failed command (`err.command.args`), and those arguments can hold a token record.
 */
export function sanitizeCause(error: unknown): Error {
  const copy = new Error(safeMessage(error));
  if (error instanceof Error) {
    copy.name = error.name;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string') Object.assign(copy, { code });
    const frames = error.stack?.indexOf('\n    at ') ?? -1;
    if (frames >= 0) copy.stack = `${copy.name}: ${copy.message}${error.stack?.slice(frames)}`;
  }
  return copy;
}

/** Maps any Redis failure to `STORE_UNAVAILABLE`; our own typed errors pass through unchanged. */
export function toStoreError(operation: string, error: unknown): ConnexeaseAuthError {
  if (isConnexeaseAuthError(error)) return error;
  return new ConnexeaseAuthError(
    'STORE_UNAVAILABLE',
    `Redis token store: ${operation} failed: ${safeMessage(error)}`,
    { cause: sanitizeCause(error), retryable: true },
  );
}

export function storeUnavailable(message: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError('STORE_UNAVAILABLE', `Redis token store: ${message}`, { retryable: true });
}
