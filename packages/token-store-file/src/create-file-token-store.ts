import type { AuthEvent, TokenStore } from '@connexease-kit/auth-core';
import {
  assertBlockRecord,
  assertLease,
  assertNonNegativeMs,
  assertPositiveMs,
  assertQuotaRequest,
  assertQuotaRestoreRequest,
  assertTokenRecord,
  assertTokenValue,
  type BlockRecord,
  type Lease,
  type QuotaDecision,
  type QuotaRequest,
  type QuotaRestoreRequest,
  type QuotaUsage,
  reportEvent,
  type TokenRecord,
  type WaitOptions,
} from '@connexease-kit/auth-core/store';
import * as blocks from './block-rules.ts';
import { storeUnavailable } from './errors.ts';
import * as leases from './lease-rules.ts';
import { type FileTokenStoreOptions, resolveOptions } from './options.ts';
import * as quota from './quota-rules.ts';
import { type RecordTtl, recordTtls } from './record-ttls.ts';
import { StateFiles } from './state-file.ts';
import * as tokens from './token-rules.ts';
import { TokenWaiters } from './token-waiters.ts';

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
  const resolved = resolveOptions(options);
  const { clock, directory } = resolved;
  const emit = (event: AuthEvent): void => {
    try {
      resolved.onEvent?.(event);
    } catch {
      // A throwing listener must not break a store operation.
    }
    reportEvent(event, { observed: resolved.onEvent !== undefined, warningCode: 'CONNEXEASE_FILE_STORE' });
  };
  let closed = false;
  const files = new StateFiles({
    directory,
    clock,
    lockStaleMs: resolved.lockStaleMs,
    lockTimeoutMs: resolved.lockTimeoutMs,
    emit,
    onCommitted: (ns) => waiters.check(ns),
  });
  const readToken = async (ns: string): Promise<TokenRecord | null> =>
    tokens.copyToken((await files.read(ns)).token);
  const waiters = new TokenWaiters({
    directory,
    pollIntervalMs: resolved.pollIntervalMs,
    watch: resolved.watch,
    fileNameOf: (ns) => files.stateName(ns),
    readToken,
    now: () => clock.now(),
    emit,
  });
  const inspectTtls = async (ns: string): Promise<RecordTtl[]> => {
    const state = await files.inspect(ns);
    return state === null ? [] : recordTtls(files.statePath(ns), state, clock.now());
  };
  const open = (): void => {
    if (closed) throw storeUnavailable('The file token store is closed.');
  };

  return {
    directory,
    filePath: (ns) => files.statePath(ns),
    inspectTtls,
    debugTtls: inspectTtls,

    async readToken(ns) {
      open();
      return readToken(ns);
    },
    async writeToken(ns: string, lease: Lease, record: TokenRecord): Promise<boolean> {
      open();
      assertLease(lease);
      assertTokenRecord(record);
      return files.update(ns, 'writeToken', (state, now) => tokens.writeToken(state, lease, record, now));
    },
    async discardToken(ns: string, value: string): Promise<boolean> {
      open();
      assertTokenValue(value);
      return files.update(ns, 'discardToken', (state) => tokens.discardToken(state, value));
    },

    async acquireLease(ns: string, { ttlMs }: { ttlMs: number }): Promise<Lease | null> {
      open();
      assertPositiveMs(ttlMs, 'acquireLease ttlMs');
      return files.update(ns, 'acquireLease', (state, now) => leases.acquireLease(state, ttlMs, now));
    },
    async extendLease(ns: string, lease: Lease, ttlMs: number): Promise<Lease | null> {
      open();
      assertLease(lease);
      assertPositiveMs(ttlMs, 'extendLease ttlMs');
      return files.update(ns, 'extendLease', (state, now) => leases.extendLease(state, lease, ttlMs, now));
    },
    async releaseLease(ns: string, lease: Lease): Promise<boolean> {
      open();
      assertLease(lease);
      return files.update(ns, 'releaseLease', (state) => leases.releaseLease(state, lease));
    },
    async readLease(ns: string): Promise<Lease | null> {
      open();
      const lease = (await files.read(ns)).lease;
      return lease === null ? null : { id: lease.id, fence: lease.fence, expiresAt: lease.expiresAt };
    },

    async reserveIssue(ns: string, request: QuotaRequest): Promise<QuotaDecision> {
      open();
      assertQuotaRequest(request);
      return files.update(ns, 'reserveIssue', (state, now) => quota.reserveIssue(state, request, now));
    },
    async quotaUsage(ns: string, { windowMs }: { windowMs: number }): Promise<QuotaUsage> {
      open();
      assertPositiveMs(windowMs, 'quotaUsage windowMs');
      const state = await files.read(ns);
      return quota.quotaUsage(state, windowMs, clock.now());
    },
    async restoreQuota(ns: string, request: QuotaRestoreRequest): Promise<QuotaUsage> {
      open();
      assertQuotaRestoreRequest(request);
      return files.update(ns, 'restoreQuota', (state, now) => quota.restoreQuota(state, request, now));
    },
    async clearQuotaLoss(ns: string): Promise<boolean> {
      open();
      return files.update(ns, 'clearQuotaLoss', (state, now) => quota.clearQuotaLoss(state, now));
    },

    async readBlock(ns: string): Promise<BlockRecord | null> {
      open();
      return blocks.copyBlock(await files.read(ns));
    },
    async writeBlock(ns: string, block: BlockRecord, ttlMs?: number): Promise<void> {
      open();
      assertBlockRecord(block);
      if (ttlMs !== undefined) assertPositiveMs(ttlMs, 'writeBlock ttlMs');
      return files.update(ns, 'writeBlock', (state, now) => blocks.writeBlock(state, block, ttlMs, now));
    },
    async clearBlock(ns: string): Promise<void> {
      open();
      return files.update(ns, 'clearBlock', (state) => blocks.clearBlock(state));
    },

    async waitForToken(ns: string, options: WaitOptions): Promise<TokenRecord | null> {
      open();
      assertNonNegativeMs(options?.timeoutMs, 'waitForToken timeoutMs');
      await files.prepare();
      return waiters.wait(ns, options);
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      waiters.close();
    },
  };
}
