import { ConnexeaseAuthError } from './errors.ts';

/** The `ABORTED` error for a caller's signal (its reason is kept as `cause`). */
export function abortedError(
  signal: AbortSignal | undefined,
  what = 'the operation was aborted',
): ConnexeaseAuthError {
  return new ConnexeaseAuthError(
    'ABORTED',
    what,
    signal?.reason === undefined ? {} : { cause: signal.reason },
  );
}

/**
 * Settles like `promise`, or rejects with `ABORTED` as soon as `signal` aborts. The underlying work is
 * not cancelled: it may be shared with other callers.
 */
export function raceAbort<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  what?: string,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    // Nobody else may be listening to `promise`: keep its late failure from becoming an unhandled rejection.
    promise.catch(() => {});
    return Promise.reject(abortedError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortedError(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/** One signal that aborts when any of `signals` does (`undefined` entries are skipped). */
export function anySignal(signals: readonly (AbortSignal | undefined)[]): AbortSignal {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length === 1) return present[0]!;
  return AbortSignal.any(present);
}
