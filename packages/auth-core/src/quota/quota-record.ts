import type {
  QuotaDecision,
  QuotaEntry,
  QuotaRecordState,
  QuotaRequest,
  QuotaRestoreRequest,
  QuotaUsage,
} from '../store/contract.ts';
import { MAX_KNOWN_QUOTA_ENTRIES } from '../store/store-input.ts';
import { decideQuota } from './quota.ts';

// The quota record of one namespace and its rules, written once for stores that keep it as data in
// JavaScript (memory, file, or a SQL row read under a lock): each function is a pure transition, so a
// store applies it inside its own atomic step. Redis implements the same rules in Lua (lua.ts).

/** The quota marker's lifetime after its last write: it must outlive the entries it vouches for. */
export const QUOTA_MARKER_RETENTION_MS: number = 30 * 24 * 60 * 60 * 1000;

/** One stored reservation: when it was made and when the store drops it (both store clock). */
export interface StoredQuotaEntry {
  id: string;
  at: number;
  expiresAt: number;
}

/**
 * The record beside the entries that tells an intact quota from a lost one (see `QuotaRecordState`):
 * the epoch of this life of the record, and the newest entry ever added.
 */
export interface QuotaMarker {
  epoch: string;
  /** The newest entry ever added; `null` once an operator cleared a loss (`clearQuotaLoss`). */
  lastId: string | null;
  lastAt: number;
  /** When the store would have dropped the newest entry anyway: after that its absence means nothing. */
  lastExpiresAt: number;
  /** When the marker itself expires. */
  expiresAt: number;
}

/** A namespace's quota as a store keeps it. */
export interface StoredQuota {
  entries: readonly StoredQuotaEntry[];
  marker: QuotaMarker | null;
}

/** How a store runs the rules. */
export interface QuotaRules {
  /** Makes a new epoch id when the record has none (a random UUID). */
  newEpoch: () => string;
  /** How long the marker outlives its last write. Default {@link QUOTA_MARKER_RETENTION_MS}. */
  markerRetentionMs?: number;
}

/** A transition's next record (the same object when nothing changed) and its answer. */
export interface QuotaStep<T> {
  quota: StoredQuota;
  result: T;
}

/** An empty quota record: what a store holds for a namespace it never saw (or lost). */
export function emptyQuota(): StoredQuota {
  return { entries: [], marker: null };
}

/** Drops entries and a marker whose time is up at `now`. */
export function purgeQuota(quota: StoredQuota, now: number): StoredQuota {
  const entries = quota.entries.filter((entry) => entry.expiresAt > now);
  const marker = quota.marker !== null && quota.marker.expiresAt > now ? quota.marker : null;
  if (entries.length === quota.entries.length && marker === quota.marker) return quota;
  return { entries, marker };
}

/**
 * Attempts up to this time were lost and nobody re-added them: the marker's newest entry is gone
 * before it could have expired. `null` when nothing is known lost.
 */
export function lostThrough(quota: StoredQuota, now: number): number | null {
  const marker = quota.marker;
  if (marker === null || marker.lastId === null || !(now < marker.lastExpiresAt)) return null;
  return quota.entries.some((entry) => entry.id === marker.lastId) ? null : marker.lastAt;
}

/** `quotaUsage`'s answer: the entries inside `windowMs` before `now`, and the record's state. */
export function quotaUsageOf(quota: StoredQuota, windowMs: number, now: number): QuotaUsage {
  const state = recordState(quota, windowMs, now);
  // Entries "from the future" (a clock stepped back) still count: undercounting could overshoot.
  const reservedAt = inWindow(quota, windowMs, now).map((entry) => entry.at);
  return { used: reservedAt.length, reservedAt, now, ...state };
}

/**
 * `reserveIssue`'s atomic step (see the `TokenStore` contract): refuse a stale lease, re-add what the
 * caller remembers, answer a repeated id, deny while the past is lost or the window is spent, grant.
 *
 * @param leaseIsCurrent - Whether `request.lease` is the namespace's current lease (the store checks it).
 */
export function reserveInQuota(
  stored: StoredQuota,
  request: QuotaRequest,
  now: number,
  leaseIsCurrent: boolean,
  rules: QuotaRules,
): QuotaStep<QuotaDecision> {
  const { id, limit, windowMs } = request;
  if (!leaseIsCurrent) {
    const { used } = quotaUsageOf(stored, windowMs, now);
    const state = recordState(stored, windowMs, now);
    return { quota: stored, result: { granted: false, denied: 'lease', used, limit, ...state } };
  }
  const quota = readd(stored, request.known ?? [], windowMs, now, rules);
  const counted = inWindow(quota, windowMs, now);
  const answer = (next: StoredQuota, decision: Omit<QuotaDecision, keyof QuotaRecordState>) => ({
    quota: next,
    result: { ...decision, ...recordState(next, windowMs, now) },
  });
  if (counted.some((entry) => entry.id === id)) {
    return answer(quota, { granted: true, used: counted.length, limit });
  }
  const lost = lostThrough(quota, now);
  if (lost !== null && lost > now - windowMs) {
    return answer(quota, {
      granted: false,
      denied: 'lost',
      used: counted.length,
      limit,
      retryAt: lost + windowMs,
    });
  }
  const verdict = decideQuota(
    counted.map((entry) => entry.at),
    now,
    { limit, windowMs },
  );
  if (!verdict.granted) {
    return answer(quota, {
      granted: false,
      denied: 'quota',
      used: verdict.used,
      limit,
      ...(verdict.retryAt === undefined ? {} : { retryAt: verdict.retryAt }),
    });
  }
  // A grant is the newest entry by definition, even when an earlier one has the same millisecond.
  const granted = addEntry(quota, { id, at: now, expiresAt: now + windowMs }, now, rules, true);
  return answer(granted, { granted: true, used: verdict.used, limit });
}

/** `restoreQuota`'s step: re-adds the missing entries, then answers like `quotaUsage`. */
export function restoreInQuota(
  stored: StoredQuota,
  request: QuotaRestoreRequest,
  now: number,
  rules: QuotaRules,
): QuotaStep<QuotaUsage> {
  const quota = readd(stored, request.known, request.windowMs, now, rules);
  return { quota, result: quotaUsageOf(quota, request.windowMs, now) };
}

/** `clearQuotaLoss`'s step: forgets a lost past (the marker stops vouching for its newest entry). */
export function clearLossInQuota(stored: StoredQuota, now: number): QuotaStep<boolean> {
  if (lostThrough(stored, now) === null || stored.marker === null) return { quota: stored, result: false };
  return { quota: { ...stored, marker: { ...stored.marker, lastId: null } }, result: true };
}

/** The part of every answer that describes the record: entries in the window, epoch, lost past. */
function recordState(quota: StoredQuota, windowMs: number, now: number): QuotaRecordState {
  const entries: QuotaEntry[] = inWindow(quota, windowMs, now)
    .slice(-MAX_KNOWN_QUOTA_ENTRIES)
    .map((entry) => ({ id: entry.id, at: entry.at }));
  return { entries, epoch: quota.marker?.epoch ?? null, lostThrough: lostThrough(quota, now) };
}

/** Entries inside the window, oldest first. */
function inWindow(quota: StoredQuota, windowMs: number, now: number): StoredQuotaEntry[] {
  return quota.entries
    .filter((entry) => entry.at > now - windowMs && entry.expiresAt > now)
    .sort((a, b) => a.at - b.at);
}

/** Re-adds every remembered entry the record lacks, at its own time (never later than `now`). */
function readd(
  stored: StoredQuota,
  known: readonly QuotaEntry[],
  windowMs: number,
  now: number,
  rules: QuotaRules,
): StoredQuota {
  let quota = stored;
  for (const entry of known) {
    const at = Math.min(entry.at, now);
    if (at <= now - windowMs || quota.entries.some((held) => held.id === entry.id)) continue;
    quota = addEntry(quota, { id: entry.id, at, expiresAt: at + windowMs }, now, rules);
  }
  return quota;
}

/** Adds an entry, creating the marker if there is none and moving it to the newest entry. */
function addEntry(
  quota: StoredQuota,
  entry: StoredQuotaEntry,
  now: number,
  rules: QuotaRules,
  granted = false,
): StoredQuota {
  const marker = quota.marker;
  const retention = rules.markerRetentionMs ?? QUOTA_MARKER_RETENTION_MS;
  const expiresAt = Math.max(now + retention, entry.expiresAt);
  const newest = granted || marker === null || marker.lastId === null || entry.at > marker.lastAt;
  const next: QuotaMarker =
    marker === null
      ? {
          epoch: rules.newEpoch(),
          lastId: entry.id,
          lastAt: entry.at,
          lastExpiresAt: entry.expiresAt,
          expiresAt,
        }
      : newest
        ? { ...marker, lastId: entry.id, lastAt: entry.at, lastExpiresAt: entry.expiresAt, expiresAt }
        : { ...marker, expiresAt: Math.max(marker.expiresAt, expiresAt) };
  return { entries: [...quota.entries, entry], marker: next };
}
