import type { ConnexeaseAuthError } from '@connexease-kit/auth-core';
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
  formatDuration,
  type Lease,
  PendingWaits,
  type QuotaDecision,
  type QuotaRequest,
  type QuotaRestoreRequest,
  type QuotaUsage,
  type TokenRecord,
  type WaitOptions,
  waitForRecordChange,
} from '@connexease-kit/auth-core/store';
import { ChangeNotifier } from './change-notifier.ts';
import {
  closeOwnedClient,
  createClientFromUrl,
  isCluster,
  isRedisClient,
  type RedisClient,
  whenReady,
  withDeadline,
} from './connection.ts';
import { startDurabilityCheck } from './durability-check.ts';
import { startEvictionCheck } from './eviction-check.ts';
import { KEY_KINDS, type RedisNamespaceKeys, redisTokenStoreKeys } from './keys.ts';
import type { RedisKeyTtl, RedisTokenStore, RedisTokenStoreOptions } from './options.ts';
import {
  decodeBlock,
  decodeQuotaState,
  decodeQuotaUsage,
  decodeToken,
  encodeBlock,
  encodeEntries,
  encodeToken,
} from './records.ts';
import { defineScripts, runScript } from './scripts.ts';
import {
  FENCE_RETENTION_MS,
  QUOTA_MARKER_RETENTION_MS,
  QUOTA_RETENTION_FLOOR_MS,
  QUOTA_TTL_MARGIN_MS,
  type StoreSettings,
  settingsFrom,
} from './settings.ts';
import { safeMessage, storeUnavailable, toStoreError } from './store-error.ts';
import { assertKeyNamespace, invalid } from './validate.ts';

/**
 * Creates the fleet `TokenStore` over ioredis: give it your `Redis` (standalone or Sentinel) or
 * `Cluster` client, or a `url` and it creates (and on `close()` quits) its own fail-fast client.
 * Every replica pointed at the same Redis shares one token, one lease and one quota per namespace.
 */
export function createRedisTokenStore(options: RedisTokenStoreOptions): RedisTokenStore {
  if (typeof options !== 'object' || options === null) {
    throw invalid('createRedisTokenStore needs an options object with `redis` or `url`');
  }
  if ('redis' in options && options.redis !== undefined) {
    if (!isRedisClient(options.redis)) throw invalid('`redis` must be an ioredis Redis or Cluster instance');
    return new IoredisTokenStore(options.redis, false, settingsFrom(options));
  }
  if ('url' in options && options.url !== undefined) {
    // Settings first: invalid options must not open a connection.
    const settings = settingsFrom(options);
    return new IoredisTokenStore(createClientFromUrl(options.url, options.redisOptions), true, settings);
  }
  throw invalid('createRedisTokenStore needs either `redis` (an ioredis client) or `url`');
}

/** The scripts' denial codes. */
const DENIALS: Record<number, QuotaDecision['denied']> = { 1: 'quota', 2: 'lost', 3: 'lease' };

function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

class IoredisTokenStore implements RedisTokenStore {
  readonly #client: RedisClient;
  readonly #ownsClient: boolean;
  readonly #settings: StoreSettings;
  readonly #notifier: ChangeNotifier;
  /** PUBLISH on standalone and Sentinel; SPUBLISH (sharded, stays on the namespace's slot) on Cluster. */
  readonly #publishCommand: 'PUBLISH' | 'SPUBLISH';
  readonly #pendingWaits = new PendingWaits();
  #closed = false;
  readonly #cancelStartupChecks: Array<() => void>;
  /** The last connection error of a client the store owns (a caller's client reports its own). */
  #lastConnectionError: string | undefined;

  constructor(client: RedisClient, ownsClient: boolean, settings: StoreSettings) {
    this.#client = client;
    this.#ownsClient = ownsClient;
    this.#settings = settings;
    this.#publishCommand = isCluster(client) ? 'SPUBLISH' : 'PUBLISH';
    this.#notifier = new ChangeNotifier(client, {
      timeoutMs: this.#settings.commandTimeoutMs,
      logger: this.#settings.logger,
    });
    if (ownsClient) {
      // Without a listener ioredis prints every reconnect failure; calls report outages themselves.
      client.on('error', (error: unknown) => {
        this.#lastConnectionError = safeMessage(error);
        this.#debug(`connection error: ${this.#lastConnectionError}`);
      });
    }
    defineScripts(client);
    this.#cancelStartupChecks = settings.startupChecks
      ? [startEvictionCheck(client, settings), startDurabilityCheck(client, settings)]
      : [];
  }

  async readToken(ns: string): Promise<TokenRecord | null> {
    const keys = this.#keys(ns);
    return this.#run('readToken', async () => decodeToken(await this.#client.get(keys.token)));
  }

  async writeToken(ns: string, lease: Lease, record: TokenRecord): Promise<boolean> {
    const keys = this.#keys(ns);
    assertLease(lease);
    assertTokenRecord(record);
    // The record's times are on the store's clock (the TokenStore contract), so Redis measures the
    // TTL against its own TIME: whatever the writing replica's clock says, the key lives until expiresAt.
    const written = await this.#run('writeToken', async () =>
      toNumber(
        await runScript(
          this.#client,
          'cxkWriteTokenV3',
          [keys.token, keys.lease, keys.fence, keys.channel],
          [lease.id, lease.fence, encodeToken(record), record.expiresAt, this.#publishCommand],
        ),
      ),
    );
    if (written === -1) {
      throw invalid(
        'the token record has already expired (expiresAt is not in the future on the Redis clock)',
      );
    }
    return written === 1;
  }

  async discardToken(ns: string, value: string): Promise<boolean> {
    const keys = this.#keys(ns);
    assertTokenValue(value);
    return this.#run('discardToken', async () => {
      const deleted = await runScript(
        this.#client,
        'cxkDiscardTokenV1',
        [keys.token, keys.channel],
        [value, this.#publishCommand],
      );
      return toNumber(deleted) === 1;
    });
  }

  async acquireLease(ns: string, options: { ttlMs: number }): Promise<Lease | null> {
    const keys = this.#keys(ns);
    const ttlMs = options?.ttlMs;
    assertPositiveMs(ttlMs, 'acquireLease ttlMs');
    const id = crypto.randomUUID();
    return this.#run('acquireLease', async () => {
      const reply = await runScript(
        this.#client,
        'cxkAcquireLeaseV1',
        [keys.lease, keys.fence, keys.token],
        [id, Math.ceil(ttlMs), FENCE_RETENTION_MS],
      );
      if (!Array.isArray(reply)) return null;
      return { id, fence: toNumber(reply[0]), expiresAt: toNumber(reply[1]) };
    });
  }

  async extendLease(ns: string, lease: Lease, ttlMs: number): Promise<Lease | null> {
    const keys = this.#keys(ns);
    assertLease(lease);
    assertPositiveMs(ttlMs, 'extendLease ttlMs');
    return this.#run('extendLease', async () => {
      const expiresAt = await runScript(
        this.#client,
        'cxkExtendLeaseV1',
        [keys.lease, keys.fence],
        [lease.id, Math.ceil(ttlMs)],
      );
      return expiresAt === null ? null : { id: lease.id, fence: lease.fence, expiresAt: toNumber(expiresAt) };
    });
  }

  async releaseLease(ns: string, lease: Lease): Promise<boolean> {
    const keys = this.#keys(ns);
    assertLease(lease);
    return this.#run('releaseLease', async () => {
      const released = await runScript(this.#client, 'cxkReleaseLeaseV1', [keys.lease], [lease.id]);
      return toNumber(released) === 1;
    });
  }

  async readLease(ns: string): Promise<Lease | null> {
    const keys = this.#keys(ns);
    return this.#run('readLease', async () => {
      const reply = await runScript(this.#client, 'cxkReadLeaseV1', [keys.lease, keys.fence], []);
      if (!Array.isArray(reply)) return null;
      return { id: String(reply[0]), fence: toNumber(reply[1]), expiresAt: toNumber(reply[2]) };
    });
  }

  async reserveIssue(ns: string, request: QuotaRequest): Promise<QuotaDecision> {
    const keys = this.#keys(ns);
    assertQuotaRequest(request);
    const { id, limit, lease } = request;
    const windowMs = Math.ceil(request.windowMs);
    const retentionMs = Math.max(windowMs, QUOTA_RETENTION_FLOOR_MS);
    return this.#run('reserveIssue', async () => {
      const reply = (await runScript(
        this.#client,
        'cxkReserveV2',
        [keys.quota, keys.epoch, keys.lease, keys.fence],
        [
          id,
          limit,
          windowMs,
          retentionMs,
          QUOTA_TTL_MARGIN_MS,
          lease.id,
          lease.fence,
          crypto.randomUUID(),
          QUOTA_MARKER_RETENTION_MS,
          ...encodeEntries(request.known),
        ],
      )) as unknown[];
      const [granted, used, retryAt, , denied] = reply.slice(0, 5).map(toNumber);
      const decision: QuotaDecision = {
        granted: granted === 1,
        used: used ?? 0,
        limit,
        ...decodeQuotaState(reply[5], reply[6], reply.slice(7)),
      };
      const reason = DENIALS[denied ?? 0];
      if (reason !== undefined) decision.denied = reason;
      if (!decision.granted && retryAt !== undefined && retryAt >= 0) decision.retryAt = retryAt;
      return decision;
    });
  }

  async quotaUsage(ns: string, options: { windowMs: number }): Promise<QuotaUsage> {
    const keys = this.#keys(ns);
    const windowMs = options?.windowMs;
    assertPositiveMs(windowMs, 'quotaUsage windowMs');
    return this.#run('quotaUsage', async () =>
      decodeQuotaUsage(
        await runScript(this.#client, 'cxkQuotaUsageV2', [keys.quota, keys.epoch], [Math.ceil(windowMs)]),
      ),
    );
  }

  async restoreQuota(ns: string, request: QuotaRestoreRequest): Promise<QuotaUsage> {
    const keys = this.#keys(ns);
    assertQuotaRestoreRequest(request);
    const windowMs = Math.ceil(request.windowMs);
    const retentionMs = Math.max(windowMs, QUOTA_RETENTION_FLOOR_MS);
    return this.#run('restoreQuota', async () =>
      decodeQuotaUsage(
        await runScript(
          this.#client,
          'cxkRestoreQuotaV1',
          [keys.quota, keys.epoch],
          [
            windowMs,
            retentionMs,
            QUOTA_TTL_MARGIN_MS,
            crypto.randomUUID(),
            QUOTA_MARKER_RETENTION_MS,
            ...encodeEntries(request.known),
          ],
        ),
      ),
    );
  }

  async clearQuotaLoss(ns: string): Promise<boolean> {
    const keys = this.#keys(ns);
    return this.#run(
      'clearQuotaLoss',
      async () =>
        toNumber(await runScript(this.#client, 'cxkClearQuotaLossV1', [keys.quota, keys.epoch], [])) === 1,
    );
  }

  async readBlock(ns: string): Promise<BlockRecord | null> {
    const keys = this.#keys(ns);
    return this.#run('readBlock', async () => decodeBlock(await this.#client.get(keys.block)));
  }

  async writeBlock(ns: string, block: BlockRecord, ttlMs?: number): Promise<void> {
    const keys = this.#keys(ns);
    assertBlockRecord(block);
    if (ttlMs !== undefined) assertPositiveMs(ttlMs, 'writeBlock ttlMs');
    const px = Math.ceil(ttlMs ?? this.#settings.blockSafetyTtlMs);
    await this.#run('writeBlock', async () => {
      await this.#client.set(keys.block, encodeBlock(block), 'PX', px);
    });
  }

  async clearBlock(ns: string): Promise<void> {
    const keys = this.#keys(ns);
    await this.#run('clearBlock', async () => {
      await this.#client.del(keys.block);
    });
  }

  async waitForToken(ns: string, options: WaitOptions): Promise<TokenRecord | null> {
    const keys = this.#keys(ns);
    if (typeof options !== 'object' || options === null)
      throw invalid('waitForToken needs an options object');
    assertNonNegativeMs(options.timeoutMs, 'waitForToken timeoutMs');
    if (options.known !== null) assertTokenRecord(options.known);
    this.#assertOpen();
    return waitForRecordChange(options, {
      subscribe: (onChange) =>
        this.#notifier.subscribe(keys.channel, (message) => onChange(decodeToken(message) ?? undefined)),
      read: () => this.readToken(ns),
      pollIntervalMs: this.#settings.pollIntervalMs,
      onClose: this.#pendingWaits.onClose,
    });
  }

  async inspectTtls(ns: string): Promise<RedisKeyTtl[]> {
    const keys = this.#keys(ns);
    return this.#run('inspectTtls', async () => {
      const ttls = await Promise.all(KEY_KINDS.map((kind) => this.#client.pttl(keys[kind])));
      const found: RedisKeyTtl[] = [];
      KEY_KINDS.forEach((kind, index) => {
        const pttl = ttls[index] ?? -2;
        if (pttl === -2) return;
        found.push({ key: kind, redisKey: keys[kind], ttlMs: pttl === -1 ? null : pttl });
      });
      return found;
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = storeUnavailable('the store is closed');
    this.#pendingWaits.rejectAll(error);
    for (const cancel of this.#cancelStartupChecks) cancel();
    this.#notifier.close();
    if (this.#ownsClient) await closeOwnedClient(this.#client, this.#settings.commandTimeoutMs);
  }

  #keys(ns: string): RedisNamespaceKeys {
    assertKeyNamespace(ns);
    return redisTokenStoreKeys(ns, this.#settings.keyPrefix);
  }

  #assertOpen(): void {
    if (this.#closed) throw storeUnavailable('the store is closed');
  }

  /** Every Redis call: waits for the connection and runs within `commandTimeoutMs`; failures become `STORE_UNAVAILABLE`. */
  async #run<T>(operation: string, task: () => Promise<T>): Promise<T> {
    this.#assertOpen();
    try {
      return await withDeadline(
        operation,
        this.#settings.commandTimeoutMs,
        async (signal) => {
          await whenReady(this.#client, signal);
          return task();
        },
        () => this.#timedOut(operation),
      );
    } catch (error) {
      throw toStoreError(operation, error);
    }
  }

  /** Why a call ran out of time: no connection (with the last error we saw), or Redis did not answer. */
  #timedOut(operation: string): ConnexeaseAuthError {
    const ms = this.#settings.commandTimeoutMs;
    if (this.#client.status === 'ready') {
      return storeUnavailable(`${operation} failed: Redis did not answer within ${formatDuration(ms)}`);
    }
    const lastError =
      this.#lastConnectionError === undefined ? '' : `; last error: ${this.#lastConnectionError}`;
    return storeUnavailable(
      `${operation} failed: Redis is not connected (connection ${this.#client.status}${lastError}); gave up after ${formatDuration(ms)}`,
    );
  }

  #debug(message: string): void {
    this.#settings.logger?.debug?.(`Redis token store: ${message}`);
  }
}
