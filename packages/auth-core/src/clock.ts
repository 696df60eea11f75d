import { ConnexeaseAuthError } from './errors.ts';
import type { Clock } from './provider/provider-types.ts';

/**
 * The real clock: `Date.now()`, and a `sleep` that rejects with an `ABORTED` error as soon as its
 * signal aborts (and clears its timer).
 */
export const systemClock: Clock = Object.freeze({
  now: (): number => Date.now(),
  sleep: (ms: number, signal?: AbortSignal): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortedError(signal));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortedError(signal));
      };
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
});

function abortedError(signal: AbortSignal | undefined): ConnexeaseAuthError {
  return new ConnexeaseAuthError('ABORTED', 'the operation was aborted', { cause: signal?.reason });
}
