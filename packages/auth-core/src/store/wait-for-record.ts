import { abortedError } from '../abort.ts';
import type { TokenRecord, WaitOptions } from './contract.ts';
import { isSameTokenRecord } from './store-records.ts';
import { MAX_TIMER_MS, watchExpiry } from './store-timers.ts';

/** A store's subscription to one namespace's change notifications. */
export interface RecordSubscription {
  /**
   * Settles once notifications flow (Redis confirmed the SUBSCRIBE, PostgreSQL the LISTEN). Absent
   * when they flow at once. The first read waits for it: a write landing before it would be lost.
   */
  readonly ready?: Promise<void>;
  /** Stops the notifications for this waiter. */
  release(): void;
}

/** What `waitForRecordChange` needs from a store, for one namespace. */
export interface RecordChangeSource {
  /**
   * Starts listening for writes to the namespace. `onChange` is a hint to read again; a notification
   * that carries the written record may pass it, and a record whose fence is not older than the known
   * one is then adopted without a read.
   */
  subscribe(onChange: (carried?: TokenRecord) => void): RecordSubscription;
  /** Reads the current record. */
  read(): Promise<TokenRecord | null> | TokenRecord | null;
  /** Upper bound of the safety-net poll; each poll sleeps a random 50–100 % of it. */
  pollIntervalMs: number;
  /**
   * The clock the record's times are on, as well as the store knows it (`Date.now` by default).
   * Consulted after the first read, so a store may learn its backend's clock from that read.
   */
  now?: () => number;
  /** Registers what the store calls on `close()` to reject this wait; returns its deregistration. */
  onClose(reject: (error: unknown) => void): () => void;
  /**
   * Where a failed read goes when the wait should outlive it (the next poll reads again). Without it,
   * a failed read ends the wait with its error.
   */
  onReadError?: (error: unknown) => void;
}

/**
 * `TokenStore.waitForToken`, written once for every store: resolves with the record once it differs
 * from `known`, or with whatever is current when `timeoutMs` passes; rejects with `ABORTED` when the
 * signal aborts and with the store's error when it closes.
 *
 * It subscribes, and waits for the subscription to be active, before its first read, so a write in
 * between is never lost. Then it wakes on every notification, on a jittered poll, and when the known
 * token expires (nothing announces an expiry). One read is in flight at a time. Every timer, listener
 * and subscription is released as soon as the promise settles.
 */
export function waitForRecordChange(
  options: WaitOptions,
  source: RecordChangeSource,
): Promise<TokenRecord | null> {
  if (options.signal?.aborted) return Promise.reject(waitAborted(options.signal));
  return new Promise((resolve, reject) => {
    new RecordWait(options, source, resolve, reject).start();
  });
}

function waitAborted(signal: AbortSignal): Error {
  return abortedError(signal, 'Waiting for a token was aborted');
}

/**
 * Whether a record a notification carried may be adopted without a read: it differs from what the
 * waiter knows and its fence is not older (an older one is a late message: read instead).
 */
function isNewerRecord(carried: TokenRecord, known: TokenRecord | null): boolean {
  if (known === null) return true;
  return carried.fence >= known.fence && !isSameTokenRecord(carried, known);
}

/** One pending wait; settles exactly once and then releases everything it holds. */
class RecordWait {
  readonly #known: TokenRecord | null;
  readonly #options: WaitOptions;
  readonly #source: RecordChangeSource;
  readonly #resolve: (record: TokenRecord | null) => void;
  readonly #reject: (error: unknown) => void;
  readonly #cleanups: Array<() => void> = [];
  #settled = false;
  #reading = false;
  #readAgain = false;

  constructor(
    options: WaitOptions,
    source: RecordChangeSource,
    resolve: (record: TokenRecord | null) => void,
    reject: (error: unknown) => void,
  ) {
    this.#known = options.known ?? null;
    this.#options = options;
    this.#source = source;
    this.#resolve = resolve;
    this.#reject = reject;
  }

  start(): void {
    const subscription = this.#source.subscribe((carried) => this.#onChange(carried));
    this.#cleanups.push(() => subscription.release());
    this.#cleanups.push(this.#source.onClose((error) => this.#fail(error)));
    this.#armDeadline();
    this.#listenForAbort();
    Promise.resolve(subscription.ready).then(
      () => this.#firstLook(),
      (error: unknown) => this.#fail(error),
    );
  }

  async #firstLook(): Promise<void> {
    await this.#check();
    if (this.#settled) return;
    this.#schedulePoll();
    const now = this.#source.now ?? Date.now;
    // On the store's clock; where it lags ours the record is still there, so watchExpiry keeps looking.
    this.#untilSettled(watchExpiry(this.#known, now, () => this.#check()));
  }

  #onChange(carried: TokenRecord | undefined): void {
    if (this.#settled) return;
    if (carried !== undefined && isNewerRecord(carried, this.#known)) this.#settle(carried);
    else void this.#check();
  }

  /** Reads until the record differs or nothing new arrived meanwhile; never rejects. */
  async #check(): Promise<void> {
    if (this.#settled) return;
    if (this.#reading) {
      this.#readAgain = true;
      return;
    }
    this.#reading = true;
    try {
      do {
        this.#readAgain = false;
        const current = await this.#source.read();
        if (this.#settled) return;
        if (!isSameTokenRecord(current, this.#known)) return this.#settle(current);
      } while (this.#readAgain);
    } catch (error) {
      this.#readFailed(error);
    } finally {
      this.#reading = false;
    }
  }

  #readFailed(error: unknown): void {
    if (this.#source.onReadError === undefined) this.#fail(error);
    else if (!this.#settled) this.#source.onReadError(error);
  }

  #schedulePoll(): void {
    const delay = Math.min(this.#source.pollIntervalMs, MAX_TIMER_MS) * (0.5 + Math.random() * 0.5);
    const timer = setTimeout(() => {
      void this.#check().then(() => {
        if (!this.#settled) this.#schedulePoll();
      });
    }, delay);
    this.#untilSettled(() => clearTimeout(timer));
  }

  /** At the deadline every other path stops, and the wait answers with whatever is current. */
  #armDeadline(): void {
    const timeoutMs = Math.min(Math.max(0, this.#options.timeoutMs), MAX_TIMER_MS);
    const timer = setTimeout(() => {
      if (!this.#stop()) return;
      Promise.resolve()
        .then(() => this.#source.read())
        .then(this.#resolve, this.#reject);
    }, timeoutMs);
    this.#cleanups.push(() => clearTimeout(timer));
  }

  #listenForAbort(): void {
    const { signal } = this.#options;
    if (signal === undefined) return;
    const onAbort = (): void => this.#fail(waitAborted(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    this.#cleanups.push(() => signal.removeEventListener('abort', onAbort));
  }

  /** Runs `cleanup` when the wait settles, or at once if it already has. */
  #untilSettled(cleanup: () => void): void {
    if (this.#settled) cleanup();
    else this.#cleanups.push(cleanup);
  }

  /** Marks the wait settled and releases everything; false if it already was. */
  #stop(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    return true;
  }

  #settle(record: TokenRecord | null): void {
    if (this.#stop()) this.#resolve(record);
  }

  #fail(error: unknown): void {
    if (this.#stop()) this.#reject(error);
  }
}
