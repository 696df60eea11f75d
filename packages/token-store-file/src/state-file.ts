import { chmod, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type AuthEvent, isConnexeaseAuthError } from '@connexease-kit/auth-core';
import {
  readTextIfExists,
  removeFileDurably,
  syncDirectory,
  TEMP_SUFFIX,
  writeFileAtomic,
} from './atomic-file.ts';
import { describeIoError, storeUnavailable } from './errors.ts';
import { acquireFileLock } from './file-lock.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { FENCE_RETENTION_MS, type Transition } from './lease-rules.ts';
import { type NamespaceFiles, namespaceFiles } from './namespace-files.ts';
import { unreadableFileMarker } from './quota-rules.ts';
import {
  decodeState,
  emptyState,
  encodeState,
  isEmptyState,
  type NamespaceState,
  withoutExpired,
} from './state.ts';
import { prepareDirectory } from './store-directory.ts';

export interface StateFilesOptions {
  directory: string;
  clock: { now(): number };
  lockStaleMs: number;
  lockTimeoutMs: number;
  emit(event: AuthEvent): void;
  /** Called after a change to `ns` was committed by this instance (local wake-ups). */
  onCommitted(ns: string): void;
}

/**
 * The per-namespace state files and their transactions. Reads take no lock (a rename swaps whole
 * files, so a reader sees the old or the new state); every mutation is lock → read → modify →
 * write temp → fsync → rename → fsync dir → unlock.
 */
export class StateFiles {
  readonly #options: StateFilesOptions;
  readonly #mutex = new KeyedMutex();
  readonly #swept = new Set<string>();
  #prepared: Promise<void> | undefined;

  constructor(options: StateFilesOptions) {
    this.#options = options;
  }

  /** The path of the file holding `ns`. */
  statePath(ns: string): string {
    return namespaceFiles(this.#options.directory, ns).statePath;
  }

  /** The file name (inside the directory) of `ns`'s state, for watchers. */
  stateName(ns: string): string {
    return namespaceFiles(this.#options.directory, ns).stateName;
  }

  /** The live state of `ns` (expired records dropped). A corrupt file is quarantined first. */
  async read(ns: string): Promise<NamespaceState> {
    const files = namespaceFiles(this.#options.directory, ns);
    await this.#prepare();
    let raw: string | null;
    try {
      raw = await readTextIfExists(files.statePath);
    } catch (error) {
      throw storeUnavailable(`Could not read ${files.statePath}: ${describeIoError(error)}`, error);
    }
    if (raw === null) return emptyState();
    const decoded = decodeState(raw);
    if (decoded.kind === 'newer') throw newerVersion(files, decoded.version);
    if (decoded.kind === 'corrupt') return this.update(ns, 'read', (state) => ({ state, result: state }));
    const live = withoutExpired(decoded.state, this.#options.clock.now());
    if (isEmptyState(live)) {
      // Everything in the file expired: delete it now rather than at the next write. Best effort.
      await this.update(ns, 'cleanup', (state) => ({ state, result: undefined })).catch(() => {});
    }
    return live;
  }

  /** The records exactly as the file holds them (expired ones included), or `null` without a readable file. */
  async inspect(ns: string): Promise<NamespaceState | null> {
    const raw = await readTextIfExists(this.statePath(ns));
    if (raw === null) return null;
    const decoded = decodeState(raw);
    return decoded.kind === 'ok' ? decoded.state : null;
  }

  /**
   * Runs `transition` on the live state of `ns` under the inter-process lock and commits the result
   * if it differs (deleting the file when nothing is left). Errors become `STORE_UNAVAILABLE`.
   */
  update<T>(
    ns: string,
    operation: string,
    transition: (state: NamespaceState, now: number) => Transition<T>,
  ): Promise<T> {
    const files = namespaceFiles(this.#options.directory, ns);
    return this.#mutex.run(files.base, async () => {
      await this.#prepare();
      const { result, changed } = await this.#locked(ns, files, transition).catch((error: unknown) => {
        if (isConnexeaseAuthError(error)) throw error;
        throw storeUnavailable(`${operation} failed on ${files.statePath}: ${describeIoError(error)}`, error);
      });
      if (changed) this.#options.onCommitted(ns);
      return result;
    });
  }

  async #locked<T>(
    ns: string,
    files: NamespaceFiles,
    transition: (state: NamespaceState, now: number) => Transition<T>,
  ): Promise<{ result: T; changed: boolean }> {
    const { clock, lockStaleMs, lockTimeoutMs } = this.#options;
    const lock = await acquireFileLock(files.lockPath, {
      staleMs: lockStaleMs,
      timeoutMs: lockTimeoutMs,
      onStaleLockBroken: (message) => this.#options.emit({ type: 'warning', ns, message }),
    });
    try {
      if (lock.brokeStale || !this.#swept.has(files.base)) {
        await this.#sweepLeftovers(files);
        this.#swept.add(files.base);
      }
      const now = clock.now();
      const loaded = await this.#load(ns, files, now);
      const before = loaded.onDisk ? encodeState(loaded.state) : null;
      const { state, result } = transition(withoutExpired(loaded.state, now), now);
      const after = isEmptyState(state) ? null : encodeState(state);
      if (after === before) return { result, changed: false };
      if (after === null) {
        await lock.assertHeld();
        await removeFileDurably(files.statePath);
      } else {
        await writeFileAtomic(files.statePath, after, () => lock.assertHeld());
      }
      return { result, changed: true };
    } finally {
      await lock.release();
    }
  }

  /** Reads the file under the lock. A corrupt file is moved aside and replaced by a fail-closed state. */
  async #load(
    ns: string,
    files: NamespaceFiles,
    now: number,
  ): Promise<{ state: NamespaceState; onDisk: boolean }> {
    const raw = await readTextIfExists(files.statePath);
    if (raw === null) return { state: emptyState(), onDisk: false };
    const decoded = decodeState(raw);
    if (decoded.kind === 'ok') return { state: decoded.state, onDisk: true };
    if (decoded.kind === 'newer') throw newerVersion(files, decoded.version);

    const copy = join(this.#options.directory, `${files.base}.corrupt-${Date.now()}`);
    await rename(files.statePath, copy);
    await chmod(copy, 0o600).catch(() => {});
    await syncDirectory(this.#options.directory);
    this.#options.emit({
      type: 'warning',
      ns,
      message:
        `Token store file ${files.statePath} was unreadable (${decoded.reason}); moved it to ${copy}. ` +
        `The quota reservations it held are lost, so the quota counts as spent until a full window has passed ` +
        `(from ${new Date(now).toISOString()}): reserveIssue is denied with retryAt until then, unless a ` +
        'replica re-adds newer reservations or an operator runs `connexease-auth forget-loss`. ' +
        `The token, lease and block it held were dropped.`,
    });
    const state: NamespaceState = {
      ...emptyState(),
      // The old counter is lost; the clock in ms is above any counter a file could have reached.
      fence: { value: Math.max(1, Math.floor(now)), expiresAt: now + FENCE_RETENTION_MS },
      quotaMarker: unreadableFileMarker(now),
    };
    return { state, onDisk: false };
  }

  /**
   * Under the lock every temp file of the namespace is an orphan of a holder that died or lost the
   * lock; old set-aside locks are leftovers of a breaker that died mid-way.
   */
  async #sweepLeftovers(files: NamespaceFiles): Promise<void> {
    const { directory, lockStaleMs } = this.#options;
    const names = await readdir(directory).catch(() => [] as string[]);
    for (const name of names) {
      const path = join(directory, name);
      if (name.startsWith(`${files.stateName}.`) && name.endsWith(TEMP_SUFFIX)) {
        await unlink(path).catch(() => {});
      } else if (name.startsWith(`${files.base}.lock.broken-`)) {
        const info = await stat(path).catch(() => null);
        if (info !== null && Date.now() - info.mtimeMs > lockStaleMs) await unlink(path).catch(() => {});
      }
    }
  }

  /** Creates and checks the directory once (again after a failure). */
  prepare(): Promise<void> {
    return this.#prepare();
  }

  #prepare(): Promise<void> {
    this.#prepared ??= prepareDirectory(this.#options.directory).then(
      (warning) => {
        if (warning !== null) this.#options.emit({ type: 'warning', message: warning });
      },
      (error: unknown) => {
        this.#prepared = undefined;
        throw error;
      },
    );
    return this.#prepared;
  }
}

function newerVersion(files: NamespaceFiles, version: number): Error {
  return storeUnavailable(
    `${files.statePath} was written by a newer @connexease-kit/token-store-file (file version ${version}); ` +
      'it is left untouched. Upgrade this process or give it another directory.',
  );
}
