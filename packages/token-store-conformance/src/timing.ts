/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface EventuallyOptions {
  /** Give up after this long. */
  timeoutMs: number;
  /** What is awaited, for the failure message. */
  description: string;
  /** Pause between probes. Default 20 ms. */
  intervalMs?: number;
}

/**
 * Probes until `accept` holds and returns that value, or throws once `timeoutMs` has passed. Time-based
 * expectations poll with a deadline instead of sleeping an exact amount, so a slow machine only makes
 * the test slower, never wrong.
 */
export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  { timeoutMs, description, intervalMs = 20 }: EventuallyOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() >= deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting until ${description}`);
    }
    await sleep(intervalMs);
  }
}

/** A flag that turns true when `ms` have passed, unless cancelled first. */
export interface Alarm {
  readonly fired: boolean;
  cancel(): void;
}

/**
 * Starts an alarm. Used to tell "resolved because of the write" from "resolved because its own
 * timeout passed" by event order rather than by measuring a duration.
 */
export function startAlarm(ms: number): Alarm {
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
  }, ms);
  return {
    get fired() {
      return fired;
    },
    cancel: () => clearTimeout(timer),
  };
}
