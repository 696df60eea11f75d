/** Every failure this library raises carries one of these stable codes. */
export type ConnexeaseAuthErrorCode =
  | 'CONFIG_INVALID'
  | 'INVALID_CREDENTIALS'
  | 'AGENT_BANNED'
  | 'ACCOUNT_INACTIVE'
  | 'INVALID_REQUEST'
  | 'QUOTA_EXHAUSTED'
  | 'BLOCKED'
  | 'TOKEN_ENDPOINT_UNAVAILABLE'
  | 'INVALID_RESPONSE'
  | 'STORE_UNAVAILABLE'
  | 'ACCESS_TOKEN_REJECTED'
  /** A 401 the provider cannot act on (not a JWT header it handed out, or no retry left to use a new one). */
  | 'TOKEN_REJECTED'
  /**
   * The API answered 401 to a token just refreshed for a 401: the endpoint refuses this API user (a missing
   * permission, say), not the token. The token is kept; 401-driven refreshes are spaced fleet-wide.
   */
  | 'ENDPOINT_REFUSED'
  | 'TIMEOUT'
  | 'ABORTED';

/** The codes a shared block can carry (what the token endpoint answered when the block was written). */
export type BlockCode = 'INVALID_CREDENTIALS' | 'AGENT_BANNED' | 'ACCOUNT_INACTIVE';

export interface ConnexeaseAuthErrorOptions {
  /** HTTP status that caused the error, when one did. */
  status?: number;
  /** Epoch milliseconds after which trying again can succeed. */
  retryAt?: number;
  /** For `BLOCKED`: the code of the response that wrote the block. */
  blockedCode?: BlockCode;
  /** True when the same attempt may succeed if repeated (5XX, network, timeout); never for a 4XX. */
  retryable?: boolean;
  cause?: unknown;
}

/**
 * Marks every `ConnexeaseAuthError`, whichever installed copy of auth-core made it: `Symbol.for` gives
 * each copy the same symbol, where `instanceof` would see two unrelated classes.
 */
const BRAND: unique symbol = Symbol.for('connexease-kit.ConnexeaseAuthError');

/**
 * The one error class of connexease-kit. Messages never contain a password, a token or an
 * `Authorization` value; `toJSON` and `util.inspect` show only the fields below.
 */
export class ConnexeaseAuthError extends Error {
  override readonly name = 'ConnexeaseAuthError';
  readonly code: ConnexeaseAuthErrorCode;
  readonly status: number | undefined;
  readonly retryAt: number | undefined;
  readonly blockedCode: BlockCode | undefined;
  readonly retryable: boolean;

  constructor(code: ConnexeaseAuthErrorCode, message: string, options: ConnexeaseAuthErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = options.status;
    this.retryAt = options.retryAt;
    this.blockedCode = options.blockedCode;
    this.retryable = options.retryable ?? false;
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      status: this.status,
      retryAt: this.retryAt,
      blockedCode: this.blockedCode,
      retryable: this.retryable,
    };
  }
}

// On the prototype, not each instance: `util.inspect` and JSON show only the fields above.
Object.defineProperty(ConnexeaseAuthError.prototype, BRAND, { value: true });

/**
 * Whether `value` is a `ConnexeaseAuthError` (with `code`, when given), also one made by another
 * installed copy of auth-core: a store and http-ky may resolve different versions. Prefer it to
 * `instanceof`, which only knows this copy's class.
 */
export function isConnexeaseAuthError(
  value: unknown,
  code?: ConnexeaseAuthErrorCode,
): value is ConnexeaseAuthError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { [BRAND]?: unknown })[BRAND] === true &&
    (code === undefined || (value as { code?: unknown }).code === code)
  );
}
