import type { QuotaDecision, QuotaRequest, QuotaUsage } from '@connexease-kit/auth-core';
import type { Transition } from './lease-rules.ts';
import type { NamespaceState, QuotaUnknown } from './state.ts';

/**
 * While the quota is unknown (the file was corrupt) it counts as this many reservations: the API's
 * own daily cap, more than any valid limit, so every request is denied until the window has passed.
 */
export const UNKNOWN_QUOTA_ASSUMED_USED = 30;

/**
 * How long the "quota unknown" record is kept at least. The window it blocks is the caller's
 * `windowMs` (counted from detection); a `reserveIssue` with a longer window extends the record.
 */
export const QUOTA_UNKNOWN_RETENTION_MS: number = 7 * 24 * 60 * 60 * 1000;

/** Reserves one attempt in the sliding window, idempotent by id. */
export function reserveIssue(
  state: NamespaceState,
  request: QuotaRequest,
  now: number,
): Transition<QuotaDecision> {
  const { id, limit, windowMs } = request;
  const next = extendUnknown(state, windowMs);
  const usage = quotaUsage(next, windowMs, now);
  if (next.reservations.some((reservation) => reservation.id === id)) {
    return { state: next, result: { granted: true, used: usage.used, limit } };
  }
  const unknownUntil = unknownUntilTime(next.quotaUnknown, windowMs, now);
  if (unknownUntil !== null || usage.used >= limit) {
    const retryAt = Math.max(unknownUntil ?? 0, ageOutTime(usage.reservedAt, limit, windowMs));
    return { state: next, result: { granted: false, used: usage.used, limit, retryAt } };
  }
  const reservations = [...next.reservations, { id, at: now, expiresAt: now + windowMs }];
  return { state: { ...next, reservations }, result: { granted: true, used: usage.used + 1, limit } };
}

/** The reservations inside the window; while the quota is unknown, the window counts as full. */
export function quotaUsage(state: NamespaceState, windowMs: number, now: number): QuotaUsage {
  const reservedAt = state.reservations
    // Entries "from the future" (the clock stepped back) still count: undercounting could overshoot.
    .filter((reservation) => reservation.at > now - windowMs)
    .map((reservation) => reservation.at);
  const unknown = state.quotaUnknown;
  if (unknown !== null && unknownUntilTime(unknown, windowMs, now) !== null) {
    for (let index = 0; index < UNKNOWN_QUOTA_ASSUMED_USED; index++) reservedAt.push(unknown.since);
  }
  reservedAt.sort((a, b) => a - b);
  return { used: reservedAt.length, reservedAt, now };
}

/** Until when an unknown quota blocks reservations in a window of `windowMs`, or `null` if it no longer does. */
export function unknownUntilTime(unknown: QuotaUnknown | null, windowMs: number, now: number): number | null {
  if (unknown === null) return null;
  const until = unknown.since + windowMs;
  return until > now ? until : null;
}

/** When enough reservations have aged out for one more to fit under `limit`. */
function ageOutTime(reservedAt: number[], limit: number, windowMs: number): number {
  if (reservedAt.length < limit) return 0;
  const index = Math.min(reservedAt.length - limit, reservedAt.length - 1);
  return (reservedAt[index] ?? 0) + windowMs;
}

function extendUnknown(state: NamespaceState, windowMs: number): NamespaceState {
  const unknown = state.quotaUnknown;
  if (unknown === null || unknown.since + windowMs <= unknown.expiresAt) return state;
  return { ...state, quotaUnknown: { ...unknown, expiresAt: unknown.since + windowMs } };
}
