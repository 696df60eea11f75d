import { type FSWatcher, watch } from 'node:fs';
import type { AuthEvent } from '@connexease-kit/auth-core';
import {
  isSameTokenRecord,
  type TokenRecord,
  type WaitOptions,
  watchExpiry,
} from '@connexease-kit/auth-core/store';
import { aborted, describeIoError, storeUnavailable } from './errors.ts';

export interface TokenWaitersOptions {
  directory: string;
  pollIntervalMs: number;
  /** Whether to use `fs.watch`; polling always runs. */
  watch: boolean;
  /** The state file name of `ns` inside the directory. */
  fileNameOf(ns: string): string;
  readToken(ns: string): Promise<TokenRecord | null>;
  /** The store's clock, on which records expire. */
  now(): number;
  emit(event: AuthEvent): void;
}

interface Waiter {
  known: TokenRecord | null;
  settle(outcome: { record: TokenRecord | null } | { error: unknown }): void;
}

/**
 * `waitForToken` across processes: `fs.watch` on the directory (filtered by file name) wakes waiters
 * when another process renames a new state file in; a jittered poll covers file systems and
 * platforms where watching is missing or lossy. The watcher and the poll run only while someone waits.
 */
export class TokenWaiters {
  readonly #options: TokenWaitersOptions;
  readonly #waiters = new Map<string, Set<Waiter>>();
  readonly #checking = new Map<string, { again: boolean }>();
  #watcher: FSWatcher | null = null;
  #watchUnavailable = false;
  #pollTimer: ReturnType<typeof setTimeout> | null = null;
  #closed = false;

  constructor(options: TokenWaitersOptions) {
    this.#options = options;
    this.#watchUnavailable = !options.watch;
  }

  wait(ns: string, { known = null, timeoutMs, signal }: WaitOptions): Promise<TokenRecord | null> {
    if (this.#closed) return Promise.reject(storeUnavailable('The file token store is closed.'));
    if (signal?.aborted) return Promise.reject(aborted(signal));
    return new Promise<TokenRecord | null>((resolve, reject) => {
      let waiters = this.#waiters.get(ns);
      if (waiters === undefined) {
        waiters = new Set();
        this.#waiters.set(ns, waiters);
      }
      const onAbort = (): void => waiter.settle({ error: aborted(signal as AbortSignal) });
      const timer = setTimeout(
        () => {
          // Time is up: answer with whatever is current (which may still equal `known`).
          this.#options.readToken(ns).then(
            (record) => waiter.settle({ record }),
            (error: unknown) => waiter.settle({ error }),
          );
        },
        Math.max(0, timeoutMs),
      );
      // On the store's clock; a process whose clock lags still keeps the record: keep looking.
      const stopExpiryWatch = watchExpiry(
        known,
        () => this.#options.now(),
        () => this.check(ns),
      );
      const waiter: Waiter = {
        known,
        settle: (outcome) => {
          const set = this.#waiters.get(ns);
          if (set === undefined || !set.delete(waiter)) return;
          if (set.size === 0) this.#waiters.delete(ns);
          clearTimeout(timer);
          stopExpiryWatch();
          signal?.removeEventListener('abort', onAbort);
          this.#stopIfIdle();
          if ('error' in outcome) reject(outcome.error);
          else resolve(outcome.record);
        },
      };
      waiters.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#startWatching();
      this.#schedulePoll();
      // Checked after subscribing, so a change between the caller's read and now is never missed.
      this.check(ns);
    });
  }

  /** Re-reads `ns` and wakes waiters whose known record differs. Concurrent calls coalesce. */
  check(ns: string): void {
    if (!this.#waiters.has(ns)) return;
    const running = this.#checking.get(ns);
    if (running !== undefined) {
      running.again = true;
      return;
    }
    const state = { again: false };
    this.#checking.set(ns, state);
    const run = async (): Promise<void> => {
      do {
        state.again = false;
        let record: TokenRecord | null;
        try {
          record = await this.#options.readToken(ns);
        } catch (error) {
          this.#options.emit({
            type: 'store-error',
            ns,
            operation: 'waitForToken',
            message: describeIoError(error),
          });
          continue;
        }
        for (const waiter of [...(this.#waiters.get(ns) ?? [])]) {
          if (!isSameTokenRecord(record, waiter.known)) waiter.settle({ record });
        }
      } while (state.again && this.#waiters.has(ns));
    };
    void run().finally(() => this.#checking.delete(ns));
  }

  /** Rejects every pending wait and stops the watcher and the poll. */
  close(): void {
    this.#closed = true;
    for (const waiters of [...this.#waiters.values()]) {
      for (const waiter of [...waiters])
        waiter.settle({ error: storeUnavailable('The file token store was closed.') });
    }
    this.#stopIfIdle();
  }

  #startWatching(): void {
    if (this.#watcher !== null || this.#watchUnavailable) return;
    const byFileName = (fileName: string): string | undefined => {
      for (const ns of this.#waiters.keys()) if (this.#options.fileNameOf(ns) === fileName) return ns;
      return undefined;
    };
    try {
      const watcher = watch(this.#options.directory, (_event, fileName) => {
        if (fileName === null) {
          for (const ns of this.#waiters.keys()) this.check(ns);
          return;
        }
        const ns = byFileName(String(fileName));
        if (ns !== undefined) this.check(ns);
      });
      watcher.on('error', (error) => this.#watchFailed(error));
      this.#watcher = watcher;
    } catch (error) {
      this.#watchFailed(error);
    }
  }

  #watchFailed(error: unknown): void {
    this.#watcher?.close();
    this.#watcher = null;
    this.#watchUnavailable = true;
    this.#options.emit({
      type: 'warning',
      message: `Cannot watch ${this.#options.directory} (${describeIoError(error)}); waiting falls back to polling.`,
    });
  }

  #schedulePoll(): void {
    if (this.#pollTimer !== null) return;
    const interval = this.#options.pollIntervalMs * (0.75 + Math.random() * 0.5);
    this.#pollTimer = setTimeout(() => {
      this.#pollTimer = null;
      for (const ns of this.#waiters.keys()) this.check(ns);
      if (this.#waiters.size > 0) this.#schedulePoll();
    }, interval);
  }

  #stopIfIdle(): void {
    if (this.#waiters.size > 0) return;
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#pollTimer !== null) clearTimeout(this.#pollTimer);
    this.#pollTimer = null;
  }
}
