import type { BlockCode, TokenStore } from '@connexease-kit/auth-core';
import {
  type BlockRecord,
  credentialFingerprint,
  type Lease,
  type QuotaUsage,
  quotaSummary,
  refreshPoint,
  type TokenRecord,
} from '@connexease-kit/auth-core/store';
import { isHeaderSafeToken } from '@connexease-kit/auth-core/transport';
import { EXIT_CODES } from './exit-codes.ts';
import { isoTime } from './format.ts';
import type { Settings } from './settings.ts';
import type { StoreDescription } from './store.ts';

/**
 * What `connexease-auth status --json` prints: one JSON object, this shape, `version: 1`. Instants are
 * UTC ISO 8601 strings; durations are integers in milliseconds (`…Ms`, negative when in the past).
 * Fields are only ever added within a version. Neither a token nor a password is ever part of it.
 */
export interface StatusReport {
  /** The shape's version. */
  version: 1;
  /** `ok`, or why not: a block applies (exit 3), or the quota is spent (exit 4). */
  health: 'ok' | 'blocked' | 'quota-exhausted';
  /** The process exit code that goes with `health`: 0, 3 or 4. */
  exitCode: number;
  /** Whose state this is. `namespace` is the hash the stores use as key (safe to log). */
  apiUser: { baseUrl: string; username: string; namespace: string };
  store: StoreDescription;
  /** This machine's clock when the report was made. */
  checkedAt: string;
  /** The store's clock (Redis `TIME`, the file store's host) when it answered. */
  storeTime: string;
  quota: {
    limit: number;
    windowMs: number;
    /** Reservations (issue attempts) inside the window. */
    used: number;
    remaining: number;
    exhausted: boolean;
    /** When spent: when the next reservation can be granted. */
    retryAt: string | null;
    /**
     * When the store lost its record of attempts up to this time and no service re-added them: the
     * window counts as spent until a window after it (`connexease-auth forget-loss` frees it). Else `null`.
     */
    lostThrough: string | null;
    /** Oldest first; each slot frees up when its reservation ages out of the window (store clock). */
    reservations: { reservedAt: string; freesAt: string; freesInMs: number }[];
  };
  /**
   * The cached token's times (never its value), or `null` when none is cached. Its instants are on the
   * store's clock, as the services write them; its state and durations are measured from `storeTime`, so
   * a host whose clock is off still reports what the fleet sees.
   */
  token: {
    /** `fresh`: served as is; `due`: services refresh it in the background; `expired`; `unusable`: malformed. */
    state: 'fresh' | 'due' | 'expired' | 'unusable';
    issuedAt: string;
    expiresAt: string;
    /** When services start refreshing it (`--refresh-before-ms` before expiry, at most half its life). */
    refreshAt: string;
    expiresInMs: number;
    refreshInMs: number;
    /** The fence of the lease that wrote it. */
    fence: number;
  } | null;
  /** The issue lease, while a process holds it (it is issuing right now), else `null`. */
  lease: { fence: number; expiresAt: string; expiresInMs: number } | null;
  /** The shared block that stops issuing, or `null`. */
  block: {
    code: BlockCode;
    /** HTTP status of the answer that wrote it (401, 403). */
    status: number;
    /** The server's own message. */
    reason: string;
    createdAt: string;
    ageMs: number;
    /** `null`: until `unblock` (403). */
    until: string | null;
    untilInMs: number | null;
    /**
     * Whether it stops the password the services use: `true` for 403 blocks (any password); for a 401
     * block, whether the given password is the rejected one, or `null` when no password was given.
     */
    appliesToCurrentPassword: boolean | null;
  } | null;
}

export interface CollectStatusOptions {
  store: TokenStore;
  description: StoreDescription;
  ns: string;
  settings: Settings;
  now: () => number;
  /** The password, asked for only when a 401 block must be compared with it; `undefined` if unknown. */
  password: () => Promise<string | undefined>;
}

/** Reads the namespace's quota, token, lease and block from the store (read-only) into a {@link StatusReport}. */
export async function collectStatus(options: CollectStatusOptions): Promise<StatusReport> {
  const { store, ns, settings } = options;
  const [usage, lease, block, record] = await Promise.all([
    store.quotaUsage(ns, { windowMs: settings.quota.windowMs }),
    store.readLease(ns),
    store.readBlock(ns),
    store.readToken(ns),
  ]);
  const now = options.now();
  const storeNow = usage.now;
  const quota = reportQuota(usage, settings.quota);
  const token = reportToken(record, storeNow, settings.refreshBeforeExpiryMs);
  const blockReport = await reportBlock(block, now, options);
  const health = healthOf(quota, blockReport);
  return {
    version: 1,
    health,
    exitCode: EXIT_CODE_BY_HEALTH[health],
    apiUser: { baseUrl: settings.baseUrl, username: settings.username, namespace: ns },
    store: options.description,
    checkedAt: isoTime(now),
    storeTime: isoTime(storeNow),
    quota,
    token,
    lease: reportLease(lease, storeNow),
    block: blockReport,
  };
}

const EXIT_CODE_BY_HEALTH: Record<StatusReport['health'], number> = {
  blocked: EXIT_CODES.BLOCKED,
  'quota-exhausted': EXIT_CODES.QUOTA_EXHAUSTED,
  ok: 0,
};

function healthOf(quota: StatusReport['quota'], block: StatusReport['block']): StatusReport['health'] {
  const blocked = block !== null && block.appliesToCurrentPassword !== false;
  return blocked ? 'blocked' : quota.exhausted ? 'quota-exhausted' : 'ok';
}

function reportQuota(usage: QuotaUsage, quota: Settings['quota']): StatusReport['quota'] {
  const storeNow = usage.now;
  const counted = quotaSummary(usage.reservedAt, storeNow, quota);
  // A lost past nobody re-added counts as spent for a window after it (guarantee 10).
  const lostThrough = usage.lostThrough ?? null;
  const lost = lostThrough !== null && lostThrough > storeNow - quota.windowMs;
  const summary = lost
    ? {
        ...counted,
        remaining: 0,
        retryAt: Math.max(counted.retryAt ?? Number.NEGATIVE_INFINITY, lostThrough + quota.windowMs),
      }
    : counted;
  return {
    limit: quota.limit,
    windowMs: quota.windowMs,
    used: summary.used,
    remaining: summary.remaining,
    exhausted: summary.remaining === 0,
    retryAt: summary.retryAt === null ? null : isoTime(summary.retryAt),
    lostThrough: lost ? isoTime(lostThrough) : null,
    reservations: reportReservations(usage.reservedAt, storeNow, quota.windowMs),
  };
}

function reportReservations(
  reservedAt: readonly number[],
  storeNow: number,
  windowMs: number,
): StatusReport['quota']['reservations'] {
  return reservedAt
    .filter((time) => time > storeNow - windowMs)
    .sort((a, b) => a - b)
    .map((time) => {
      const freesAt = time + windowMs;
      return { reservedAt: isoTime(time), freesAt: isoTime(freesAt), freesInMs: freesAt - storeNow };
    });
}

/** Token records are written on the store's clock: judge them on it, not on this host's. */
function reportToken(
  record: TokenRecord | null,
  storeNow: number,
  refreshBeforeExpiryMs: number,
): StatusReport['token'] {
  if (record === null) return null;
  const refreshAt = Number.isFinite(record.issuedAt + record.expiresAt)
    ? refreshPoint(record.issuedAt, record.expiresAt, refreshBeforeExpiryMs)
    : Number.NaN;
  const state: NonNullable<StatusReport['token']>['state'] =
    !isHeaderSafeToken(record.value) || Number.isNaN(refreshAt)
      ? 'unusable'
      : storeNow >= record.expiresAt
        ? 'expired'
        : storeNow >= refreshAt
          ? 'due'
          : 'fresh';
  return {
    state,
    issuedAt: isoTime(record.issuedAt),
    expiresAt: isoTime(record.expiresAt),
    refreshAt: isoTime(refreshAt),
    expiresInMs: record.expiresAt - storeNow,
    refreshInMs: refreshAt - storeNow,
    fence: record.fence,
  };
}

function reportLease(lease: Lease | null, storeNow: number): StatusReport['lease'] {
  if (lease === null) return null;
  return { fence: lease.fence, expiresAt: isoTime(lease.expiresAt), expiresInMs: lease.expiresAt - storeNow };
}

async function reportBlock(
  block: BlockRecord | null,
  now: number,
  options: CollectStatusOptions,
): Promise<StatusReport['block']> {
  // A 401 block past its `until` has no effect any more (the store drops it at that time).
  if (block === null || !(block.until === undefined || now < block.until)) return null;
  const appliesToCurrentPassword = await blockAppliesToPassword(block, options);
  return {
    code: block.code,
    status: block.status,
    reason: block.reason,
    createdAt: isoTime(block.createdAt),
    ageMs: now - block.createdAt,
    until: block.until === undefined ? null : isoTime(block.until),
    untilInMs: block.until === undefined ? null : block.until - now,
    appliesToCurrentPassword,
  };
}

/** `true` for 403 blocks; for a 401 block, whether the given password is the rejected one (`null`: none given). */
async function blockAppliesToPassword(
  block: BlockRecord,
  options: CollectStatusOptions,
): Promise<boolean | null> {
  if (block.code !== 'INVALID_CREDENTIALS' || typeof block.fingerprint !== 'string') return true;
  const password = await options.password();
  if (password === undefined) return null;
  const fingerprint = await credentialFingerprint(
    { username: options.settings.username, password },
    options.ns,
  );
  return fingerprint === block.fingerprint;
}
