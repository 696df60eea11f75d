import { ConnexeaseAuthError } from '@connexease-kit/auth-core';

/** `user:password@` inside anything that looks like a URL, and `password=…` in a key/value string. */
const URL_CREDENTIALS = /\/\/[^/@\s]*@/g;
const KEYWORD_PASSWORD = /password=\S*/gi;

/** SQLSTATEs that mean "the store's tables or functions are not there" (dropped mid-run, wrong schema). */
const MISSING_OBJECT_CODES: ReadonlySet<string> = new Set(['42P01', '42883', '3F000']);

/** An error's message with any credentials masked. */
export function safeMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(URL_CREDENTIALS, '//***@').replace(KEYWORD_PASSWORD, 'password=***');
}

/** The SQLSTATE (or Node.js error code, e.g. `ECONNREFUSED`) of an error, if any. */
export function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether a failure says that a table or function of the store is missing. */
export function isMissingObject(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && MISSING_OBJECT_CODES.has(code);
}

/**
 * A copy of a node-postgres error that keeps name, message, SQLSTATE and stack, and drops the rest:
 * `detail`, `where` and `internalQuery` can quote the values of a statement, and those can be a token.
 */
export function sanitizeCause(error: unknown): Error {
  const copy = new Error(safeMessage(error));
  if (error instanceof Error) {
    copy.name = error.name;
    const code = errorCode(error);
    if (code !== undefined) Object.assign(copy, { code });
    const frames = error.stack?.indexOf('\n    at ') ?? -1;
    if (frames >= 0) copy.stack = `${copy.name}: ${copy.message}${error.stack?.slice(frames)}`;
  }
  return copy;
}

export function storeUnavailable(message: string, cause?: unknown): ConnexeaseAuthError {
  return new ConnexeaseAuthError('STORE_UNAVAILABLE', `PostgreSQL token store: ${message}`, {
    retryable: true,
    ...(cause === undefined ? {} : { cause: sanitizeCause(cause) }),
  });
}

/** Why a statement failed, said for people; the SQLSTATE decides. */
function describe(error: unknown, tables: string): string {
  const code = errorCode(error);
  const message = safeMessage(error);
  if (code !== undefined && MISSING_OBJECT_CODES.has(code)) {
    return `the store's tables or functions are missing (${message}): were ${tables} dropped? The store re-creates them on its next call unless migrate is false`;
  }
  if (code === '42501') return `the database role lacks a privilege the store needs (${message})`;
  if (code === '28P01' || code === '28000') return `the database refused the login (${message})`;
  if (code === '3D000') return `the database does not exist (${message})`;
  if (code === '57P01' || code === '57P02' || code === '57P03') {
    return `the database is shutting down or starting up (${message})`;
  }
  return message;
}

/** Maps any PostgreSQL or connection failure to `STORE_UNAVAILABLE`; our own typed errors pass through unchanged. */
export function toStoreError(operation: string, error: unknown, tables: string): ConnexeaseAuthError {
  if (error instanceof ConnexeaseAuthError) return error;
  return storeUnavailable(`${operation} failed: ${describe(error, tables)}`, error);
}
