import type { AuthEvent, AuthEventListener, TokenStore } from '@connexease-kit/auth-core';
import {
  assertBlockRecord,
  assertLease,
  assertNamespace,
  assertNonNegativeMs,
  assertPositiveMs,
  assertQuotaRequest,
  assertQuotaRestoreRequest,
  assertTokenRecord,
  assertTokenValue,
  type BlockRecord,
  type Lease,
  PendingWaits,
  type QuotaDecision,
  type QuotaRequest,
  type QuotaRestoreRequest,
  type QuotaUsage,
  reportEvent,
  type TokenRecord,
  type WaitOptions,
  waitForRecordChange,
} from '@connexease-kit/auth-core/store';
import * as blocks from './block-rules.ts';
import { DirectoryWatch } from './directory-watch.ts';
import { describeIoError, storeUnavailable } from './errors.ts';
import * as leases from './lease-rules.ts';
import { type FileTokenStoreOptions, type ResolvedOptions, resolveOptions } from './options.ts';
import * as quota from './quota-rules.ts';
import { type RecordTtl, recordTtls } from './record-ttls.ts';
import type { NamespaceState } from './state.ts';
import { StateFiles } from './state-file.ts';
import * as tokens from './token-rules.ts';

/** A {@link TokenStore} kept in files: durable across restarts, shared by every process of one host. */
export interface FileTokenStore extends TokenStore {
  /** The absolute directory holding the files. */
  readonly directory: string;
  /** The file that holds namespace `ns` (`<directory>/<encoded ns>.json`); it may not exist yet. */
  filePath(ns: string): string;
  /**
   * Every record in `ns`'s file with its remaining lifetime, read straight from disk (for tests and
   * diagnostics: each record carries its own expiry, the file-store form of "no key without a TTL").
   */
  inspectTtls(ns: string): Promise<RecordTtl[]>;
  /**
   * The old name of {@link FileTokenStore.inspectTtls}, kept for one release.
   * @deprecated Use `inspectTtls(ns)`, the one name every connexease-kit store uses; `debugTtls` goes away in the next minor release.
   */
  debugTtls(ns: string): Promise<RecordTtl[]>;
}

/**
 * Creates a durable single-host `TokenStore`: one JSON file per namespace (mode 0600) in a directory
 * (mode 0700), changed only under an inter-process lock file with atomic replace, so tokens and the
 * quota survive restarts and crashes and every process on the machine shares one issue budget.
 * No server, no native module. Not for network file systems: one host only.
 *
 * @example
 * ```ts
 * const store = createFileTokenStore(); // ~/.cache/connexease-kit
 * const { api } = createConnexeaseClient({ credentials, store });
 * ```
 */
export function createFileTokenStore(options: FileTokenStoreOptions = {}): FileTokenStore {
  return new OnDiskTokenStore(resolveOptions(options));
}

class OnDiskTokenStore implements FileTokenStore {
  readonly directory: string;
  readonly #clock: { now(): number };
  readonly #pollIntervalMs: number;
  readonly #onEvent: AuthEventListener | undefined;
  readonly #files: StateFiles;
  readonly #watch: DirectoryWatch;
  readonly #pendingWaits = new PendingWaits();
  #closed = false;

  constructor(options: ResolvedOptions) {
    this.directory = options.directory;
    this.#clock = options.clock;
    this.#pollIntervalMs = options.pollIntervalMs;
    this.#onEvent = options.onEvent;
    const emit = (event: AuthEvent): void => this.#emit(event);
    this.#files = new StateFiles({
      directory: options.directory,
      clock: options.clock,
      lockStaleMs: options.lockStaleMs,
      lockTimeoutMs: options.lockTimeoutMs,
      emit,
      onCommitted: (ns) => this.#watch.notify(ns),
    });
    this.#watch = new DirectoryWatch({
      directory: options.directory,
      watch: options.watch,
      fileNameOf: (ns) => this.#files.stateName(ns),
      emit,
    });
  }

  filePath(ns: string): string {
    return this.#files.statePath(ns);
  }

  async inspectTtls(ns: string): Promise<RecordTtl[]> {
    const state = await this.#files.inspect(ns);
    return state === null ? [] : recordTtls(this.#files.statePath(ns), state, this.#clock.now());
  }

  /** @deprecated Use `inspectTtls`; kept for one release. */
  debugTtls(ns: string): Promise<RecordTtl[]> {
    return this.inspectTtls(ns);
  }

  async readToken(ns: string): Promise<TokenRecord | null> {
    this.#assertOpen();
    return this.#currentToken(ns);
  }

  async writeToken(ns: string, lease: Lease, record: TokenRecord): Promise<boolean> {
    assertLease(lease);
    assertTokenRecord(record);
    return this.#update(ns, 'writeToken', (state, now) => tokens.writeToken(state, lease, record, now));
  }

  async discardToken(ns: string, value: string): Promise<boolean> {
    assertTokenValue(value);
    return this.#update(ns, 'discardToken', (state) => tokens.discardToken(state, value));
  }

  async acquireLease(ns: string, options: { ttlMs: number }): Promise<Lease | null> {
    assertPositiveMs(options?.ttlMs, 'acquireLease ttlMs');
    return this.#update(ns, 'acquireLease', (state, now) => leases.acquireLease(state, options.ttlMs, now));
  }

  async extendLease(ns: string, lease: Lease, ttlMs: number): Promise<Lease | null> {
    assertLease(lease);
    assertPositiveMs(ttlMs, 'extendLease ttlMs');
    return this.#update(ns, 'extendLease', (state, now) => leases.extendLease(state, lease, ttlMs, now));
  }

  async releaseLease(ns: string, lease: Lease): Promise<boolean> {
    assertLease(lease);
    return this.#update(ns, 'releaseLease', (state) => leases.releaseLease(state, lease));
  }

  async readLease(ns: string): Promise<Lease | null> {
    return leases.copyLease(await this.#read(ns));
  }

  async reserveIssue(ns: string, request: QuotaRequest): Promise<QuotaDecision> {
    assertQuotaRequest(request);
    return this.#update(ns, 'reserveIssue', (state, now) => quota.reserveIssue(state, request, now));
  }

  async quotaUsage(ns: string, options: { windowMs: number }): Promise<QuotaUsage> {
    assertPositiveMs(options?.windowMs, 'quotaUsage windowMs');
    const state = await this.#read(ns);
    return quota.quotaUsage(state, options.windowMs, this.#clock.now());
  }

  async restoreQuota(ns: string, request: QuotaRestoreRequest): Promise<QuotaUsage> {
    assertQuotaRestoreRequest(request);
    return this.#update(ns, 'restoreQuota', (state, now) => quota.restoreQuota(state, request, now));
  }

  async clearQuotaLoss(ns: string): Promise<boolean> {
    return this.#update(ns, 'clearQuotaLoss', (state, now) => quota.clearQuotaLoss(state, now));
  }

  async readBlock(ns: string): Promise<BlockRecord | null> {
    return blocks.copyBlock(await this.#read(ns));
  }

  async writeBlock(ns: string, block: BlockRecord, ttlMs?: number): Promise<void> {
    assertBlockRecord(block);
    if (ttlMs !== undefined) assertPositiveMs(ttlMs, 'writeBlock ttlMs');
    return this.#update(ns, 'writeBlock', (state, now) => blocks.writeBlock(state, block, ttlMs, now));
  }

  async clearBlock(ns: string): Promise<void> {
    return this.#update(ns, 'clearBlock', (state) => blocks.clearBlock(state));
  }

  async waitForToken(ns: string, options: WaitOptions): Promise<TokenRecord | null> {
    this.#assertOpen();
    assertNamespace(ns);
    assertNonNegativeMs(options?.timeoutMs, 'waitForToken timeoutMs');
    // The directory must exist before it can be watched.
    await this.#files.prepare();
    // Closed meanwhile: close() has already rejected every wait it knew of.
    this.#assertOpen();
    return waitForRecordChange(options, {
      subscribe: (onChange) => ({ release: this.#watch.subscribe(ns, () => onChange()) }),
      read: () => this.#currentToken(ns),
      pollIntervalMs: this.#pollIntervalMs,
      now: () => this.#clock.now(),
      onClose: this.#pendingWaits.onClose,
      // A failed read (I/O error, newer file version) need not end the wait: report it, look again later.
      onReadError: (error) => {
        const message = describeIoError(error);
        this.#emit({ type: 'store-error', ns, operation: 'waitForToken', message });
      },
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = storeUnavailable('The file token store was closed.');
    this.#pendingWaits.rejectAll(error);
  }

  async #currentToken(ns: string): Promise<TokenRecord | null> {
    return tokens.copyToken((await this.#files.read(ns)).token);
  }

  #read(ns: string): Promise<NamespaceState> {
    this.#assertOpen();
    return this.#files.read(ns);
  }

  /** Runs `transition` on `ns` under the inter-process lock (see {@link StateFiles.update}). */
  #update<T>(
    ns: string,
    operation: string,
    transition: (state: NamespaceState, now: number) => leases.Transition<T>,
  ): Promise<T> {
    this.#assertOpen();
    return this.#files.update(ns, operation, transition);
  }

  #emit(event: AuthEvent): void {
    try {
      this.#onEvent?.(event);
    } catch {
      // A throwing listener must not break a store operation.
    }
    reportEvent(event, { observed: this.#onEvent !== undefined, warningCode: 'CONNEXEASE_FILE_STORE' });
  }

  #assertOpen(): void {
    if (this.#closed) throw storeUnavailable('The file token store is closed.');
  }
}
