import { type FSWatcher, watch } from 'node:fs';
import type { AuthEvent } from '@connexease-kit/auth-core';
import { NamespaceListeners } from '@connexease-kit/auth-core/store';
import { describeIoError } from './errors.ts';

export interface DirectoryWatchOptions {
  directory: string;
  /** Whether to use `fs.watch` at all; without it only this process's own commits wake listeners. */
  watch: boolean;
  /** The state file name of `ns` inside the directory. */
  fileNameOf(ns: string): string;
  emit(event: AuthEvent): void;
}

/**
 * Wake-ups for the store's waiters: this process's own commits, and another process renaming a new
 * state file into the directory, seen through one `fs.watch` that is open only while someone listens.
 * A wake-up is only a hint to read again; each waiter's own poll covers file systems where watching
 * is missing or lossy, and it is all that is left once watching failed.
 */
export class DirectoryWatch {
  readonly #options: DirectoryWatchOptions;
  readonly #listeners = new NamespaceListeners();
  #watcher: FSWatcher | null = null;
  #unavailable: boolean;

  constructor(options: DirectoryWatchOptions) {
    this.#options = options;
    this.#unavailable = !options.watch;
  }

  /** Calls `listener` on every change to `ns`'s file; returns the function that stops it. */
  subscribe(ns: string, listener: () => void): () => void {
    const unsubscribe = this.#listeners.subscribe(ns, listener);
    this.#start();
    return () => {
      unsubscribe();
      if (this.#listeners.isEmpty) this.#stop();
    };
  }

  /** Wakes `ns`'s listeners: this process committed a change to it. */
  notify(ns: string): void {
    this.#listeners.notify(ns);
  }

  #start(): void {
    if (this.#watcher !== null || this.#unavailable) return;
    try {
      this.#watcher = watch(this.#options.directory, (_event, fileName) => this.#changed(fileName));
      this.#watcher.on('error', (error) => this.#failed(error));
    } catch (error) {
      this.#failed(error);
    }
  }

  /** Dispatches one directory event by file name; without a name, every listener looks. */
  #changed(fileName: string | null): void {
    for (const ns of [...this.#listeners.namespaces()]) {
      if (fileName === null || this.#options.fileNameOf(ns) === fileName) this.#listeners.notify(ns);
    }
  }

  /** Watching failed: polling alone from now on, said once. */
  #failed(error: unknown): void {
    this.#stop();
    this.#unavailable = true;
    this.#options.emit({
      type: 'warning',
      message: `Cannot watch ${this.#options.directory} (${describeIoError(error)}); waiting falls back to polling.`,
    });
  }

  #stop(): void {
    this.#watcher?.close();
    this.#watcher = null;
  }
}
