import {
  ConnexeaseAuthError,
  expiryRecheckDelay,
  isSameTokenRecord,
  MAX_TIMER_MS,
  type TokenRecord,
  type WaitOptions,
} from '@connexease-kit/auth-core';
import type { ChannelSubscription } from './change-notifier.ts';

/** Pause between looks at a known token that expired on our clock but not yet on Redis's. */
const EXPIRY_RECHECK_MS = 250;

/** What a waiter needs from the store. */
export interface WaitContext {
  /** Starts listening for change hints on the namespace's channel. */
  subscribe(onChange: () => void): ChannelSubscription;
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
 * is never lost; then wakes on every hint and on a jittered poll. Every timer, listener and
 * subscription is released as soon as the promise settles.
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
    let expiryTimer: ReturnType<typeof setTimeout> | undefined;
    const cleanups: Array<() => void> = [];

    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(pollTimer);
      clearTimeout(expiryTimer);
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

    // Nothing announces an expiry: look again when the known token expires. Its time is on Redis's
    // clock; if ours runs ahead the key is still there, so keep looking until it is gone.
    const scheduleExpiryCheck = (): void => {
      const delay = expiryRecheckDelay(known, Date.now());
      if (settled || delay === null) return;
      expiryTimer = setTimeout(() => {
        void check().then(() => {
          if (!settled) expiryTimer = setTimeout(scheduleExpiryCheck, EXPIRY_RECHECK_MS);
        });
      }, delay);
    };

    const subscription = context.subscribe(() => void check());
    cleanups.push(() => subscription.release());
    cleanups.push(context.onClose(fail));

    const deadline = setTimeout(
      () => {
        if (settled) return;
        // Stop every other path, then answer with whatever is current.
        settled = true;
        clearTimeout(pollTimer);
        clearTimeout(expiryTimer);
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
      scheduleExpiryCheck();
    });
  });
}
