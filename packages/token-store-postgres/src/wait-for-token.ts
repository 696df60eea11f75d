import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import {
  isSameTokenRecord,
  MAX_TIMER_MS,
  type TokenRecord,
  type WaitOptions,
} from '@connexease-kit/auth-core/store';
import type { NamespaceSubscription } from './listener.ts';

/** Read a little after the known token's expiry, so the read is sure to see it gone. */
const EXPIRY_SLACK_MS = 5;

/** A read of the token with the database's clock at that moment. */
export interface TokenReading {
  record: TokenRecord | null;
  /** Epoch ms on the database's clock. */
  now: number;
}

/** What a waiter needs from the store. */
export interface WaitContext {
  subscribe(onChange: () => void): NamespaceSubscription;
  read(): Promise<TokenReading>;
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
 * LISTENs (and waits for the confirmation) before the first read, so a write landing in between is
 * never lost; then wakes on every notification, on a jittered poll, and when the known token expires
 * (on the database's clock, learnt from each read). Every timer, listener and subscription is released
 * as soon as the promise settles.
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

    const stop = (): void => {
      settled = true;
      clearTimeout(pollTimer);
      clearTimeout(expiryTimer);
      for (const cleanup of cleanups) cleanup();
    };
    const settle = (finish: () => void): void => {
      if (settled) return;
      stop();
      finish();
    };
    const fail = (error: unknown): void => settle(() => reject(error));

    /** Wakes once more when the known token expires: the read then finds it gone. */
    const watchExpiry = (now: number): void => {
      if (known === null || expiryTimer !== undefined) return;
      const delay = Math.max(0, known.expiresAt - now) + EXPIRY_SLACK_MS;
      if (delay > timeoutMs) return;
      expiryTimer = setTimeout(
        () => {
          expiryTimer = undefined;
          void check();
        },
        Math.min(delay, MAX_TIMER_MS),
      );
    };

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
          const { record, now } = await context.read();
          if (settled) return;
          if (!isSameTokenRecord(record, known)) {
            settle(() => resolve(record));
            return;
          }
          watchExpiry(now);
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

    const subscription = context.subscribe(() => void check());
    cleanups.push(() => subscription.release());
    cleanups.push(context.onClose(fail));

    const deadline = setTimeout(
      () => {
        if (settled) return;
        // Stop every other path, then answer with whatever is current.
        stop();
        context.read().then(({ record }) => resolve(record), reject);
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
    });
  });
}
