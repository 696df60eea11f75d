import { abortedError } from '../abort.ts';
import { traceAsync, type WaitTraceContext, waitChannel } from '../diagnostics/diagnostics.ts';
import { formatDuration } from '../duration.ts';
import { ConnexeaseAuthError } from '../errors.ts';
import type { RefreshPhase } from './jwt-context.ts';
import type { Clock } from './provider-types.ts';

export interface CallerWaitOptions {
  clock: Clock;
  /** The caller's own signal: `ABORTED` for this caller only. */
  signal: AbortSignal | undefined;
  /** `waitTimeoutMs`: `TIMEOUT` for this caller only. */
  timeoutMs: number;
  /** Read when the time is up, to say what the caller was waiting for. */
  phase: () => RefreshPhase;
  /** What the `connexease-kit:wait` tracing channel reports: the namespace (read at start and end) and why. */
  trace?: { namespace: () => string | null; reason: WaitTraceContext['reason'] };
}

/**
 * Waits for a shared operation on behalf of one caller. The caller's signal and timeout end only this
 * caller's wait; the shared work goes on (its token serves the next call) until the provider closes.
 * Every timer and listener is removed as soon as the wait ends. With `trace`, the wait runs inside the
 * `connexease-kit:wait` tracing channel.
 */
export function waitAsCaller<T>(shared: Promise<T>, options: CallerWaitOptions): Promise<T> {
  if (waitChannel?.hasSubscribers !== true || options.trace === undefined)
    return waitUntraced(shared, options);
  const { namespace, reason } = options.trace;
  const context: WaitTraceContext = { ns: namespace(), reason };
  return traceAsync(waitChannel, context, () =>
    waitUntraced(shared, options).finally(() => {
      // A first call starts before the namespace is computed; by the end it usually is.
      context.ns ??= namespace();
    }),
  );
}

function waitUntraced<T>(shared: Promise<T>, options: CallerWaitOptions): Promise<T> {
  const { clock, signal, timeoutMs } = options;
  if (signal?.aborted) return Promise.reject(abortedError(signal));
  return new Promise<T>((resolve, reject) => {
    const timer = new AbortController();
    const finish = (): void => {
      timer.abort();
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      finish();
      reject(abortedError(signal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    clock.sleep(timeoutMs, timer.signal).then(
      () => {
        finish();
        reject(callerTimeout(timeoutMs, options.phase()));
      },
      () => {},
    );
    shared.then(
      (value) => {
        finish();
        resolve(value);
      },
      (error: unknown) => {
        finish();
        reject(error);
      },
    );
  });
}

function callerTimeout(timeoutMs: number, phase: RefreshPhase): ConnexeaseAuthError {
  const prefix = `no JWT after ${formatDuration(timeoutMs)} (waitTimeoutMs)`;
  const detail =
    phase === 'waiting'
      ? 'another replica holds the token lease and has not published a token yet; if it died, its lease lapses ' +
        'within leaseTtlMs and a waiting replica takes over'
      : phase === 'issuing'
        ? 'POST /jwt/ is still in progress; its token will serve later calls'
        : 'the refresh is still in progress';
  return new ConnexeaseAuthError('TIMEOUT', `${prefix}: ${detail}`, { retryable: true });
}
