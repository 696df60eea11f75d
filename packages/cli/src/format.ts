const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const UNITS: readonly (readonly [string, number])[] = [
  ['d', DAY],
  ['h', HOUR],
  ['m', MINUTE],
  ['s', SECOND],
];

/**
 * A duration for people, to the two largest units: `2d 3h`, `3h 12m`, `12m 5s`, `45s`. Under a second it
 * says `less than 1s`, so a lease about to lapse never reads as `0s`. The sign is ignored.
 */
export function formatDuration(ms: number): string {
  const total = Math.abs(ms);
  if (!Number.isFinite(total)) return 'forever';
  if (total < SECOND) return 'less than 1s';
  const index = UNITS.findIndex(([, size]) => total >= size);
  const [unit, size] = UNITS[index] as readonly [string, number];
  const major = Math.floor(total / size);
  const next = UNITS[index + 1];
  const minor = next === undefined ? 0 : Math.floor((total - major * size) / next[1]);
  return next !== undefined && minor > 0 ? `${major}${unit} ${minor}${next[0]}` : `${major}${unit}`;
}

/** A window length: whole hours as hours (`24h`, not `1d`), anything else as {@link formatDuration}. */
export function formatWindow(ms: number): string {
  return ms >= HOUR && ms % HOUR === 0 ? `${ms / HOUR}h` : formatDuration(ms);
}

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
