import { raceAbort } from '../abort.ts';
import { storeChannel, traceAsync } from '../diagnostics/diagnostics.ts';
import type { AuthEvent } from '../diagnostics/events.ts';
import { ConnexeaseAuthError, isConnexeaseAuthError } from '../errors.ts';
import { sanitizeSnippet } from '../issuer/sanitize.ts';
import type { TokenStore } from './contract.ts';

/** The store operations the provider uses, each failing only with `STORE_UNAVAILABLE` or `ABORTED`. */
export type GuardedStore = Omit<TokenStore, 'close'>;

export interface StoreGuardOptions {
  store: TokenStore;
  /** Receives a `store-error` event for every failed call. */
  emit: (event: AuthEvent) => void;
  /** Aborts every pending call (the provider is closing): they reject with `ABORTED`. */
  signal: AbortSignal;
}

/**
 * Wraps a `TokenStore` so that every call fails the same way: a `STORE_UNAVAILABLE` error (the
 * original kept as `cause`, the message sanitised so no token can slip in) and a `store-error` event.
 * `ABORTED` passes through unchanged: it is the caller's or the provider's own doing, not an outage.
 * So does `CONFIG_INVALID`: a store saying it is misconfigured or was not installed (a lazily loaded
 * adapter) will not recover by retrying, and the user must see what to fix.
 * A call still pending when the provider closes is abandoned with `ABORTED`.
 * Every call runs inside the `connexease-kit:store` tracing channel, its error being the one thrown here.
 */
export function guardStore({ store, emit, signal }: StoreGuardOptions): GuardedStore {
  const call = <T>(ns: string, operation: keyof GuardedStore, run: () => Promise<T>): Promise<T> =>
    traceAsync(storeChannel, { ns, operation }, () => guarded(ns, operation, run));
  const guarded = async <T>(ns: string, operation: keyof GuardedStore, run: () => Promise<T>): Promise<T> => {
    try {
      return await raceAbort(invoke(run), signal, 'the token provider was closed');
    } catch (error) {
      if (isConnexeaseAuthError(error, 'ABORTED')) throw error;
      const detail = describeFailure(error);
      emit({ type: 'store-error', ns, operation, message: detail });
      if (
        isConnexeaseAuthError(error, 'STORE_UNAVAILABLE') ||
        isConnexeaseAuthError(error, 'CONFIG_INVALID')
      ) {
        throw error;
      }
      throw new ConnexeaseAuthError(
        'STORE_UNAVAILABLE',
        `the token store failed on ${operation}: ${detail}`,
        {
          cause: error,
          retryable: true,
        },
      );
    }
  };
  return {
    readToken: (ns) => call(ns, 'readToken', () => store.readToken(ns)),
    writeToken: (ns, lease, record) => call(ns, 'writeToken', () => store.writeToken(ns, lease, record)),
    discardToken: (ns, value) => call(ns, 'discardToken', () => store.discardToken(ns, value)),
    acquireLease: (ns, options) => call(ns, 'acquireLease', () => store.acquireLease(ns, options)),
    extendLease: (ns, lease, ttlMs) => call(ns, 'extendLease', () => store.extendLease(ns, lease, ttlMs)),
    releaseLease: (ns, lease) => call(ns, 'releaseLease', () => store.releaseLease(ns, lease)),
    readLease: (ns) => call(ns, 'readLease', () => store.readLease(ns)),
    reserveIssue: (ns, request) => call(ns, 'reserveIssue', () => store.reserveIssue(ns, request)),
    quotaUsage: (ns, options) => call(ns, 'quotaUsage', () => store.quotaUsage(ns, options)),
    restoreQuota: (ns, request) => call(ns, 'restoreQuota', () => store.restoreQuota(ns, request)),
    clearQuotaLoss: (ns) => call(ns, 'clearQuotaLoss', () => store.clearQuotaLoss(ns)),
    readBlock: (ns) => call(ns, 'readBlock', () => store.readBlock(ns)),
    writeBlock: (ns, block, ttlMs) => call(ns, 'writeBlock', () => store.writeBlock(ns, block, ttlMs)),
    clearBlock: (ns) => call(ns, 'clearBlock', () => store.clearBlock(ns)),
    waitForToken: (ns, options) => call(ns, 'waitForToken', () => store.waitForToken(ns, options)),
  };
}

/** Calls `run`, turning a synchronous throw into a rejection. */
function invoke<T>(run: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

function describeFailure(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const label = typeof code === 'string' && code !== '' ? `${error.name} ${code}` : error.name;
    const message = sanitizeSnippet(error.message);
    return message === '' ? label : `${label}: ${message}`;
  }
  return `a non-Error value was thrown (${typeof error})`;
}
