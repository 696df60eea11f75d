import { randomUUID } from 'node:crypto';
import {
  clearLossInQuota,
  type QuotaDecision,
  type QuotaMarker,
  type QuotaRequest,
  type QuotaRestoreRequest,
  type QuotaRules,
  type QuotaUsage,
  quotaUsageOf,
  reserveInQuota,
  restoreInQuota,
  type StoredQuota,
} from '@connexease-kit/auth-core/store';
import { ownsLease, type Transition } from './lease-rules.ts';
import type { NamespaceState } from './state.ts';

/**
 * How long an unreadable file's loss is remembered: longer than any window a provider accepts (31
 * days), so the quota counts as spent for a full window whatever window the callers use.
 */
export const QUOTA_UNKNOWN_RETENTION_MS: number = 32 * 24 * 60 * 60 * 1000;

/** The id the marker of an unreadable file vouches for: no replica can re-add it, so only a full window or an operator ends the loss. */
const UNREADABLE_ENTRY_ID = 'connexease-kit/token-store-file: unreadable file';

const RULES: QuotaRules = { newEpoch: () => randomUUID() };

/**
 * The marker written when the file was found corrupt: its reservations are lost, so the quota counts
 * as spent until a full window has passed since `now` (fail closed, never a reset).
 */
export function unreadableFileMarker(now: number): QuotaMarker {
  return {
    epoch: randomUUID(),
    lastId: UNREADABLE_ENTRY_ID,
    lastAt: now,
    lastExpiresAt: now + QUOTA_UNKNOWN_RETENTION_MS,
    expiresAt: now + QUOTA_UNKNOWN_RETENTION_MS,
  };
}

/** Reserves one attempt for the lease holder (auth-core's quota rules), idempotent by id. */
export function reserveIssue(
  state: NamespaceState,
  request: QuotaRequest,
  now: number,
): Transition<QuotaDecision> {
  const step = reserveInQuota(quotaOf(state), request, now, isCurrent(state, request), RULES);
  return { state: withQuota(state, step.quota), result: step.result };
}

/** Re-adds remembered entries the file lost. */
export function restoreQuota(
  state: NamespaceState,
  request: QuotaRestoreRequest,
  now: number,
): Transition<QuotaUsage> {
  const step = restoreInQuota(quotaOf(state), request, now, RULES);
  return { state: withQuota(state, step.quota), result: step.result };
}

/** Forgets a lost past (an operator said so). */
export function clearQuotaLoss(state: NamespaceState, now: number): Transition<boolean> {
  const step = clearLossInQuota(quotaOf(state), now);
  return { state: withQuota(state, step.quota), result: step.result };
}

/** The reservations inside the window and the record's state (a lost past in `lostThrough`). */
export function quotaUsage(state: NamespaceState, windowMs: number, now: number): QuotaUsage {
  return quotaUsageOf(quotaOf(state), windowMs, now);
}

/** Whether the request's lease is the live lease and the newest fence (as `writeToken` requires). */
function isCurrent(state: NamespaceState, request: QuotaRequest): boolean {
  return ownsLease(state, request.lease) && request.lease.fence === (state.fence?.value ?? 0);
}

/**
 * The file's quota in auth-core's shape. A file written by an earlier version may hold a
 * `quotaUnknown` record instead of a marker; it reads as the marker of an unreadable file.
 */
function quotaOf(state: NamespaceState): StoredQuota {
  const legacy = state.quotaUnknown;
  const marker =
    state.quotaMarker ??
    (legacy === null
      ? null
      : {
          ...unreadableFileMarker(legacy.since),
          expiresAt: legacy.expiresAt,
          lastExpiresAt: legacy.expiresAt,
        });
  return { entries: state.reservations, marker };
}

function withQuota(state: NamespaceState, quota: StoredQuota): NamespaceState {
  if (quota.entries === state.reservations && quota.marker === state.quotaMarker) return state;
  return { ...state, reservations: [...quota.entries], quotaMarker: quota.marker, quotaUnknown: null };
}
