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
  MAX_TIMER_MS,
  PendingWaits,
  type QuotaDecision,
  type QuotaRequest,
  type QuotaRestoreRequest,
  type QuotaUsage,
  type TokenRecord,
  type WaitOptions,
  waitForRecordChange,
} from '@connexease-kit/auth-core/store';
import { assertConnectionString, createOwnedPool, isPool, listenConnector } from './connection.ts';
import { ChangeListener } from './listener.ts';
import type {
  PostgresPool,
  PostgresRecordKind,
  PostgresRecordTtl,
  PostgresTokenStore,
  PostgresTokenStoreOptions,
} from './options.ts';
import { knownArrays, quotaDecisionFromRow, quotaUsageFromRow, retentionFor } from './quota-rows.ts';
import { decodeBlock, encodeBlock, tokenFromRow, toNumber, unauthorizedRefreshOf } from './records.ts';
import { type StoreSettings, settingsFrom } from './settings.ts';
import { type Statements, statements } from './sql/statements.ts';
import { StatementRunner } from './statement-runner.ts';
import { safeMessage, storeUnavailable } from './store-error.ts';
import { assertRowNamespace, invalid } from './validate.ts';

/**
 * Creates the fleet `TokenStore` over PostgreSQL (node-postgres 8): give it your `pg.Pool` (left open
 * on `close()`), or a `connectionString` and it creates (and on `close()` ends) a small pool of its
 * own. Every replica pointed at the same database, schema and prefix shares one token, one lease and
 * one quota per namespace.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` for invalid options (before anything connects).
 */
export function createPostgresTokenStore(options: PostgresTokenStoreOptions): PostgresTokenStore {
  if (typeof options !== 'object' || options === null) {
    throw invalid('createPostgresTokenStore needs an options object with `pool` or `connectionString`');
  }
  if ('pool' in options && options.pool !== undefined) {
    if (!isPool(options.pool)) throw invalid('`pool` must be a node-postgres Pool');
    return new PgTokenStore(options.pool, false, settingsFrom(options));
  }
  if ('connectionString' in options && options.connectionString !== undefined) {
    // Settings first: invalid options must not open a connection.
    const settings = settingsFrom(options);
    assertConnectionString(options.connectionString, 'connectionString');
    if (settings.listenConnectionString !== undefined) {
      assertConnectionString(settings.listenConnectionString, 'listenConnectionString');
    }
    return new PgTokenStore(createOwnedPool(options.connectionString, settings), true, settings);
  }
  throw invalid('createPostgresTokenStore needs either `pool` (a pg.Pool) or `connectionString`');
}

/** A read of the token with the database's clock at that moment (epoch ms). */
interface TokenReading {
  record: TokenRecord | null;
  now: number;
}

class PgTokenStore implements PostgresTokenStore {
  readonly #pool: PostgresPool;
  readonly #ownsPool: boolean;
  readonly #settings: StoreSettings;
  readonly #sql: Statements;
  readonly #listener: ChangeListener | undefined;
  readonly #pendingWaits = new PendingWaits();
  readonly #runner: StatementRunner;
  #sweepTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  constructor(pool: PostgresPool, ownsPool: boolean, settings: StoreSettings) {
    this.#pool = pool;
    this.#ownsPool = ownsPool;
    this.#settings = settings;
    this.#sql = statements(settings.names);
    this.#runner = new StatementRunner(pool, settings, this.#sql);
    if (ownsPool) {
      // Without a listener an idle connection's error (a server restart) would crash the process.
      pool.on('error', (error) => this.#debug(`idle connection error: ${safeMessage(error)}`));
    }
    const connect = listenConnector(pool, settings);
    this.#listener =
      connect === undefined
        ? undefined
        : new ChangeListener({
            channel: settings.names.channel,
            connect,
            timeoutMs: settings.commandTimeoutMs,
            logger: settings.logger,
            onTrouble: (message) => this.#warn(message),
          });
    this.#scheduleSweep();
  }

  async migrate(): Promise<void> {
    this.#assertOpen();
    await this.#runner.migrate();
  }

  async readToken(ns: string): Promise<TokenRecord | null> {
    assertRowNamespace(ns);
    return (await this.#readToken(ns)).record;
  }

  async writeToken(ns: string, lease: Lease, record: TokenRecord): Promise<boolean> {
    assertRowNamespace(ns);
    assertLease(lease);
    assertTokenRecord(record);
    const unauthorized = unauthorizedRefreshOf(record);
    const rows = await this.#query('writeToken', this.#sql.writeToken, [
      ns,
      lease.id,
      lease.fence,
      record.value,
      record.issuedAt,
      record.expiresAt,
      unauthorized?.at ?? null,
      unauthorized?.intervalMs ?? null,
    ]);
    const outcome = toNumber(rows[0]?.outcome);
    if (outcome === -1) {
      throw invalid(
        'the token record has already expired (expiresAt is not in the future on the database clock)',
      );
    }
    return outcome === 1;
  }

  async discardToken(ns: string, value: string): Promise<boolean> {
    assertRowNamespace(ns);
    assertTokenValue(value);
    const rows = await this.#query('discardToken', this.#sql.discardToken, [ns, value]);
    return rows[0]?.deleted === true;
  }

  async acquireLease(ns: string, options: { ttlMs: number }): Promise<Lease | null> {
    assertRowNamespace(ns);
    const ttlMs = options?.ttlMs;
    assertPositiveMs(ttlMs, 'acquireLease ttlMs');
    const id = crypto.randomUUID();
    const rows = await this.#query('acquireLease', this.#sql.acquireLease, [ns, id, Math.ceil(ttlMs)]);
    const row = rows[0];
    if (row === undefined) return null;
    return { id, fence: toNumber(row.lease_fence), expiresAt: toNumber(row.lease_expires_at) };
  }

  async extendLease(ns: string, lease: Lease, ttlMs: number): Promise<Lease | null> {
    assertRowNamespace(ns);
    assertLease(lease);
    assertPositiveMs(ttlMs, 'extendLease ttlMs');
    const rows = await this.#query('extendLease', this.#sql.extendLease, [
      ns,
      lease.id,
      lease.fence,
      Math.ceil(ttlMs),
    ]);
    const row = rows[0];
    return row === undefined
      ? null
      : { id: lease.id, fence: lease.fence, expiresAt: toNumber(row.expires_at) };
  }

  async releaseLease(ns: string, lease: Lease): Promise<boolean> {
    assertRowNamespace(ns);
    assertLease(lease);
    const rows = await this.#query('releaseLease', this.#sql.releaseLease, [ns, lease.id, lease.fence]);
    return rows.length > 0;
  }

  async readLease(ns: string): Promise<Lease | null> {
    assertRowNamespace(ns);
    const rows = await this.#query('readLease', this.#sql.readLease, [ns]);
    const row = rows[0];
    if (row === undefined) return null;
    return { id: String(row.owner_id), fence: toNumber(row.fence), expiresAt: toNumber(row.expires_at) };
  }

  async reserveIssue(ns: string, request: QuotaRequest): Promise<QuotaDecision> {
    assertRowNamespace(ns);
    assertQuotaRequest(request);
    const { id, limit, lease } = request;
    const windowMs = Math.ceil(request.windowMs);
    const known = knownArrays(request.known);
    const rows = await this.#query('reserveIssue', this.#sql.reserveIssue, [
      ns,
      id,
      limit,
      windowMs,
      retentionFor(windowMs),
      lease.id,
      lease.fence,
      known.ids,
      known.ats,
    ]);
    return quotaDecisionFromRow(rows[0] ?? {}, limit);
  }

  async quotaUsage(ns: string, options: { windowMs: number }): Promise<QuotaUsage> {
    assertRowNamespace(ns);
    const windowMs = options?.windowMs;
    assertPositiveMs(windowMs, 'quotaUsage windowMs');
    const rows = await this.#query('quotaUsage', this.#sql.quotaUsage, [ns, Math.ceil(windowMs)]);
    return quotaUsageFromRow(rows[0] ?? {});
  }

  async restoreQuota(ns: string, request: QuotaRestoreRequest): Promise<QuotaUsage> {
    assertRowNamespace(ns);
    assertQuotaRestoreRequest(request);
    const windowMs = Math.ceil(request.windowMs);
    const known = knownArrays(request.known);
    const rows = await this.#query('restoreQuota', this.#sql.restoreQuota, [
      ns,
      windowMs,
      retentionFor(windowMs),
      known.ids,
      known.ats,
    ]);
    return quotaUsageFromRow(rows[0] ?? {});
  }

  async clearQuotaLoss(ns: string): Promise<boolean> {
    assertRowNamespace(ns);
    const rows = await this.#query('clearQuotaLoss', this.#sql.clearQuotaLoss, [ns]);
    return rows[0]?.cleared === true;
  }

  async readBlock(ns: string): Promise<BlockRecord | null> {
    assertRowNamespace(ns);
    const rows = await this.#query('readBlock', this.#sql.readBlock, [ns]);
    return rows[0] === undefined ? null : decodeBlock(rows[0].record);
  }

  async writeBlock(ns: string, block: BlockRecord, ttlMs?: number): Promise<void> {
    assertRowNamespace(ns);
    assertBlockRecord(block);
    if (ttlMs !== undefined) assertPositiveMs(ttlMs, 'writeBlock ttlMs');
    const ms = Math.ceil(ttlMs ?? this.#settings.blockSafetyTtlMs);
    await this.#query('writeBlock', this.#sql.writeBlock, [ns, encodeBlock(block), ms]);
  }

  async clearBlock(ns: string): Promise<void> {
    assertRowNamespace(ns);
    await this.#query('clearBlock', this.#sql.clearBlock, [ns]);
  }

  async waitForToken(ns: string, options: WaitOptions): Promise<TokenRecord | null> {
    assertRowNamespace(ns);
    if (typeof options !== 'object' || options === null)
      throw invalid('waitForToken needs an options object');
    assertNonNegativeMs(options.timeoutMs, 'waitForToken timeoutMs');
    if (options.known !== null) assertTokenRecord(options.known);
    this.#assertOpen();
    const listener = this.#listener;
    // Expiry is timed on the database's clock, learnt from each read.
    let clockOffsetMs = 0;
    return waitForRecordChange(options, {
      subscribe: (onChange) =>
        listener === undefined ? { release: () => {} } : listener.subscribe(ns, () => onChange()),
      read: async () => {
        const { record, now } = await this.#readToken(ns);
        if (Number.isFinite(now)) clockOffsetMs = now - Date.now();
        return record;
      },
      now: () => Date.now() + clockOffsetMs,
      pollIntervalMs: this.#settings.pollIntervalMs,
      onClose: this.#pendingWaits.onClose,
    });
  }

  async inspectTtls(ns: string): Promise<PostgresRecordTtl[]> {
    assertRowNamespace(ns);
    const rows = await this.#query('inspectTtls', this.#sql.inspect, [ns]);
    const tables: Record<PostgresRecordKind, string> = {
      token: this.#settings.names.tokens,
      lease: this.#settings.names.leases,
      quota: this.#settings.names.quota,
      marker: this.#settings.names.quotaMarkers,
      block: this.#settings.names.blocks,
    };
    return rows.map((row) => {
      const kind = String(row.kind) as PostgresRecordKind;
      const ttl = row.ttl_ms === null ? null : toNumber(row.ttl_ms);
      return { key: String(row.key), kind, table: tables[kind], ttlMs: ttl };
    });
  }

  async sweep(): Promise<number> {
    const rows = await this.#query('sweep', this.#sql.sweep, []);
    return toNumber(rows[0]?.deleted ?? 0);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#sweepTimer);
    const error = storeUnavailable('the store is closed');
    this.#pendingWaits.rejectAll(error);
    await this.#listener?.close();
    if (this.#ownsPool) await this.#pool.end().catch(() => {});
  }

  async #readToken(ns: string): Promise<TokenReading> {
    const rows = await this.#query('readToken', this.#sql.readToken, [ns]);
    return { record: tokenFromRow(rows[0]), now: toNumber(rows[0]?.now_ms) };
  }

  #assertOpen(): void {
    if (this.#closed) throw storeUnavailable('the store is closed');
  }

  /** Every statement, through the runner (schema check, deadline, typed errors), on an open store. */
  async #query(operation: string, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
    this.#assertOpen();
    return this.#runner.run(operation, text, values);
  }

  #scheduleSweep(): void {
    const interval = this.#settings.sweepIntervalMs;
    const delay = Math.min(interval * (0.8 + Math.random() * 0.4), MAX_TIMER_MS);
    this.#sweepTimer = setTimeout(() => {
      this.sweep()
        .catch((error: unknown) => this.#debug(`sweep failed: ${safeMessage(error)}`))
        .finally(() => {
          if (!this.#closed) this.#scheduleSweep();
        });
    }, delay);
    this.#sweepTimer.unref?.();
  }

  #warn(message: string): void {
    const { onEvent, logger } = this.#settings;
    onEvent?.({ type: 'warning', message });
    logger?.warn(message);
    if (onEvent === undefined && logger === undefined) {
      process.emitWarning(message, { code: 'CONNEXEASE_POSTGRES_LISTEN' });
    }
  }

  #debug(message: string): void {
    this.#settings.logger?.debug?.(`PostgreSQL token store: ${message}`);
  }
}
