import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import { isSameTokenRecord, type TokenRecord, type WaitOptions } from '@connexease-kit/auth-core/store';
import type { TokenListeners } from './token-listeners.ts';

/** What a waiter needs from the store. */
export interface WaitContext {
  listeners: TokenListeners;
  pollIntervalMs: number;
  /** The store clock. */
  now(): number;
  /** Reads the current record (lazy expiry included). */
  read(): TokenRecord | null;
  /** Registers a function the store calls on `close()`; returns its deregistration. */
  onClose(reject: (error: ConnexeaseAuthError) => void): () => void;
}

export function abortedError(signal: AbortSignal): ConnexeaseAuthError {
  return new ConnexeaseAuthError('ABORTED', 'Waiting for a token was aborted', { cause: signal.reason });
}

/**
 * Resolves with the record once it differs from `known`, or with the current record at `timeoutMs`.
 * Subscribes before the first read, so a write landing between the two is never lost; every timer and
 * listener is removed as soon as the promise settles.
 */
export function waitForToken(
  ns: string,
  { known, timeoutMs, signal }: WaitOptions,
  context: WaitContext,
): Promise<TokenRecord | null> {
  if (signal?.aborted) return Promise.reject(abortedError(signal));

  return new Promise<TokenRecord | null>((resolve, reject) => {
    let settled = false;
    const cleanups: Array<() => void> = [];
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      for (const cleanup of cleanups) cleanup();
      finish();
    };
    let recheck: ReturnType<typeof setTimeout> | undefined;
    const check = (): void => {
      const current = context.read();
      if (!isSameTokenRecord(current, known)) {
        settle(() => resolve(current));
        return;
      }
      // Nothing announces an expiry: look again when the record is due, or at the next poll.
      clearTimeout(recheck);
      const untilExpiry = current === null ? Number.POSITIVE_INFINITY : current.expiresAt - context.now();
      recheck = setTimeout(check, Math.max(1, Math.min(context.pollIntervalMs, untilExpiry)));
    };

    cleanups.push(context.listeners.subscribe(ns, check));
    cleanups.push(context.onClose((error) => settle(() => reject(error))));

    const timeout = setTimeout(() => settle(() => resolve(context.read())), timeoutMs);
    cleanups.push(() => clearTimeout(timeout));

    cleanups.push(() => clearTimeout(recheck));

    if (signal !== undefined) {
      const onAbort = (): void => settle(() => reject(abortedError(signal)));
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }

    check();
  });
}
