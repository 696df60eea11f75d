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
 * A duration as people read it, to its two largest units: `2d 3h`, `3h 12m`, `12m 5s`, `45s`; under ten
 * seconds to a tenth (`1.5s`), under a second in milliseconds (`250ms`). Every message that names a
 * duration uses it, so none reads `in 86430000 ms`. The sign is ignored; an infinite one is `forever`.
 */
export function formatDuration(ms: number): string {
  const total = Math.abs(ms);
  if (Number.isNaN(total)) return 'an unknown time';
  if (!Number.isFinite(total)) return 'forever';
  if (total < SECOND) return `${Math.round(total)}ms`;
  if (total < 10 * SECOND) return `${Math.floor(total / 100) / 10}s`;
  const index = UNITS.findIndex(([, size]) => total >= size);
  const [unit, size] = UNITS[index] as readonly [string, number];
  const major = Math.floor(total / size);
  const next = UNITS[index + 1];
  const minor = next === undefined ? 0 : Math.floor((total - major * size) / next[1]);
  return next !== undefined && minor > 0 ? `${major}${unit} ${minor}${next[0]}` : `${major}${unit}`;
}

/** A window length: whole hours in hours (`24h`, as the API's daily limit reads), else {@link formatDuration}. */
export function formatWindow(ms: number): string {
  return ms >= HOUR && ms % HOUR === 0 ? `${ms / HOUR}h` : formatDuration(ms);
}
