import type {
  QuotaDecision,
  QuotaEntry,
  QuotaRecordState,
  QuotaUsage,
} from '@connexease-kit/auth-core/store';
import { toNumber } from './records.ts';
import { QUOTA_RETENTION_FLOOR_MS } from './settings.ts';

// Turning the quota functions' rows (sql/quota.ts) into the contract's answers, and requests into parameters.

/** How long entries of a window are kept: the window, and at least the API's own day. */
export function retentionFor(windowMs: number): number {
  return Math.max(windowMs, QUOTA_RETENTION_FLOOR_MS);
}

/** Remembered entries as the two arrays the functions take (times as whole store milliseconds). */
export function knownArrays(known: readonly QuotaEntry[] | undefined): { ids: string[]; ats: number[] } {
  const entries = known ?? [];
  return { ids: entries.map((entry) => entry.id), ats: entries.map((entry) => Math.floor(entry.at)) };
}

function stateFromRow(row: Record<string, unknown>): QuotaRecordState {
  const ids = Array.isArray(row.entry_ids) ? row.entry_ids : [];
  const ats = Array.isArray(row.entry_ats) ? row.entry_ats : [];
  const entries = ids.map((id, index) => ({ id: String(id), at: toNumber(ats[index]) }));
  const epoch = typeof row.epoch === 'string' ? row.epoch : null;
  const lostThrough =
    row.lost_through === null || row.lost_through === undefined ? null : toNumber(row.lost_through);
  return { entries, epoch, lostThrough };
}

export function quotaUsageFromRow(row: Record<string, unknown>): QuotaUsage {
  const state = stateFromRow(row);
  return {
    used: toNumber(row.used ?? 0),
    reservedAt: state.entries.map((entry) => entry.at),
    now: toNumber(row.now_ms),
    ...state,
  };
}

const DENIALS: ReadonlySet<string> = new Set(['quota', 'lost', 'lease']);

export function quotaDecisionFromRow(row: Record<string, unknown>, limit: number): QuotaDecision {
  const decision: QuotaDecision = {
    granted: row.granted === true,
    used: toNumber(row.used ?? 0),
    limit,
    ...stateFromRow(row),
  };
  if (!decision.granted) {
    if (typeof row.denied === 'string' && DENIALS.has(row.denied)) {
      decision.denied = row.denied as NonNullable<QuotaDecision['denied']>;
    }
    if (row.retry_at !== null && row.retry_at !== undefined) decision.retryAt = toNumber(row.retry_at);
  }
  return decision;
}
