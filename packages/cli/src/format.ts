import { formatDuration } from '@connexease-kit/auth-core/store';

const SECOND = 1000;

/** A signed offset from now: `in 3h 12m`, `5m 2s ago`, or `now` (within a second either way). */
export function formatDelta(deltaMs: number): string {
  if (!Number.isFinite(deltaMs)) return 'at an unknown time';
  if (Math.abs(deltaMs) < SECOND) return 'now';
  return deltaMs > 0 ? `in ${formatDuration(deltaMs)}` : `${formatDuration(deltaMs)} ago`;
}
/** {@link formatDelta} of `at` seen from `now`. */
export function formatRelative(at: number, now: number): string {
  return formatDelta(at - now);
}

/** An instant as UTC ISO 8601; `unknown` for a value that is not a finite time. */
export function isoTime(at: number): string {
  return Number.isFinite(at) ? new Date(at).toISOString() : 'unknown';
}

/** An instant for people: relative first, then the exact time, e.g. `in 3h 12m (2025-06-02T08:12:03.000Z)`. */
export function formatInstant(at: number, now: number): string {
  return `${formatRelative(at, now)} (${isoTime(at)})`;
}
