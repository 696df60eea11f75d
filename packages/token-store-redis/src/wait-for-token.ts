import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import {
  isSameTokenRecord,
  MAX_TIMER_MS,
  type TokenRecord,
  type WaitOptions,
  watchExpiry,
} from '@connexease-kit/auth-core/store';
import type { ChannelSubscription } from './change-notifier.ts';

/** What a waiter needs from the store. */
export interface WaitContext {
  /**
   * Starts listening on the namespace's channel; `onChange` gets the record a message carries, or
   * `null` for a message without a readable one (an older store's hint, a discard).
   */
  subscribe(onChange: (carried: TokenRecord | null) => void): ChannelSubscription;
  /** Reads the current record. */
  read(): Promise<TokenRecord | null>;
  /** Upper bound of the poll interval; each poll sleeps a random 50-100 % of it. */
  pollIntervalMs: number;
  /** Registers a function the store calls on `close()`; returns its deregistration. */
  onClose(reject: (error: ConnexeaseAuthError) => void): () => void;
}

export function abortedError(signal: AbortSignal): ConnexeaseAuthError {
  return new ConnexeaseAuthError('ABORTED', 'Waiting for a token was aborted', { cause: signal.reason });
}

/**
 * Resolves with the record once it differs from `known`, or with the current record at `timeoutMs`.
 * Subscribes (and waits for the confirmation) before the first read, so a write landing in between
 * is never lost; then wakes on every message and on a jittered poll. A message carrying a record newer
 * than `known` settles the wait with it, without a read; any other message, and the poll, read the
 * store. Every timer, listener and subscription is released as soon as the promise settles.
 */
export function waitForToken(
  { known, timeoutMs, signal }: WaitOptions,
  context: WaitContext,
): Promise<TokenRecord | null> {
  if (signal?.aborted) return Promise.reject(abortedError(signal));

  return new Promise<TokenRecord | null>((resolve, reject) => {
    let settled = false;
    let reading = false;
    let readAgain = false;
    let pollTimer: ReturnType<typeof setTimeout> | undefined;
    let stopExpiryWatch = (): void => {};
    const cleanups: Array<() => void> = [];

    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(pollTimer);
      stopExpiryWatch();
      for (const cleanup of cleanups) cleanup();
      finish();
    };
    const fail = (error: unknown): void => settle(() => reject(error));

    /** Reads until the record differs or nothing new arrived while reading; one read in flight at a time. */
    const check = async (): Promise<void> => {
      if (settled) return;
      if (reading) {
        readAgain = true;
        return;
      }
      reading = true;
      try {
        do {
          readAgain = false;
          const current = await context.read();
          if (settled) return;
          if (!isSameTokenRecord(current, known)) {
            settle(() => resolve(current));
            return;
          }
        } while (readAgain);
      } catch (error) {
        fail(error);
      } finally {
        reading = false;
      }
    };

    const schedulePoll = (): void => {
      if (settled) return;
      const delay = context.pollIntervalMs * (0.5 + Math.random() * 0.5);
      pollTimer = setTimeout(() => {
        void check().then(schedulePoll);
      }, delay);
    };

    const onMessage = (carried: TokenRecord | null): void => {
      if (settled) return;
      if (carried !== null && isNewerRecord(carried, known)) settle(() => resolve(carried));
      else void check();
    };

    const subscription = context.subscribe(onMessage);
    cleanups.push(() => subscription.release());
    cleanups.push(context.onClose(fail));

    const deadline = setTimeout(
      () => {
        if (settled) return;
        // Stop every other path, then answer with whatever is current.
        settled = true;
        clearTimeout(pollTimer);
        stopExpiryWatch();
        for (const cleanup of cleanups) cleanup();
        context.read().then(resolve, reject);
      },
      Math.min(timeoutMs, MAX_TIMER_MS),
    );
    cleanups.push(() => clearTimeout(deadline));

    if (signal !== undefined) {
      const onAbort = (): void => fail(abortedError(signal));
      signal.addEventListener('abort', onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener('abort', onAbort));
    }

    void subscription.ready.then(async () => {
      await check();
      schedulePoll();
      // The known token's time is on Redis's clock; if ours runs ahead the key is still there.
      if (!settled) stopExpiryWatch = watchExpiry(known, Date.now, check);
    });
  });
}

/**
 * Whether a record a message carried may be adopted without reading the store: it differs from what
 * the waiter knows and its fence is not older (an older one is a late message: read instead).
 */
function isNewerRecord(carried: TokenRecord, known: TokenRecord | null): boolean {
  if (known === null) return true;
  return carried.fence >= known.fence && !isSameTokenRecord(carried, known);
}
