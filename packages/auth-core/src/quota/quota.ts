import { formatDuration } from '../duration.ts';
import { ConnexeaseAuthError } from '../errors.ts';
import type { QuotaOptions } from '../provider/provider-types.ts';

/** The API's own cap: 30 JWTs per API user per day; the 31st bans the user. */
export const API_DAILY_ISSUE_LIMIT: number = 30;

/** 25 issues per sliding 24 hours, leaving 5 of the API's 30 for people and other tools. */
export const DEFAULT_QUOTA: { readonly limit: 25; readonly windowMs: 86_400_000 } = Object.freeze({
  limit: 25,
  windowMs: 86_400_000,
});

const DAY_MS = 86_400_000;
/** Longest window accepted: a month. Longer windows are stricter, never riskier, but almost surely a typo. */
const MAX_WINDOW_MS = 31 * DAY_MS;

/** Validated quota settings, with warnings for settings that are legal but unsafe against the real API. */
export interface ResolvedQuota {
  limit: number;
  windowMs: number;
  warnings: string[];
}

/**
 * Applies {@link DEFAULT_QUOTA} and validates: `limit` is an integer from 1 to 30 (the API bans on the
 * 31st), `windowMs` a positive integer up to 31 days. A window shorter than 24 hours is accepted (tests,
 * custom servers) with a warning, because it no longer caps the API's daily limit.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` saying which setting to fix.
 */
export function resolveQuotaOptions(options?: QuotaOptions): ResolvedQuota {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      'quota must be an object like { limit: 25, windowMs: 86400000 }',
    );
  }
  const limit = options?.limit === undefined ? DEFAULT_QUOTA.limit : options.limit;
  const windowMs = options?.windowMs === undefined ? DEFAULT_QUOTA.windowMs : options.windowMs;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `quota.limit must be an integer from 1 to ${API_DAILY_ISSUE_LIMIT} (got ${describeNumber(limit)})`,
    );
  }
  if (limit > API_DAILY_ISSUE_LIMIT) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `quota.limit is ${limit}, but the Connexease API bans an API user on the 31st token in a day: ` +
        `use at most ${API_DAILY_ISSUE_LIMIT} (the default ${DEFAULT_QUOTA.limit} leaves room for people and other tools)`,
    );
  }
  if (
    typeof windowMs !== 'number' ||
    !Number.isInteger(windowMs) ||
    windowMs < 1 ||
    windowMs > MAX_WINDOW_MS
  ) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `quota.windowMs must be an integer number of milliseconds from 1 to ${MAX_WINDOW_MS} (got ${describeNumber(windowMs)}); ` +
        `use ${DAY_MS} for the API's daily limit`,
    );
  }
  const warnings: string[] = [];
  if (windowMs < DAY_MS) {
    warnings.push(
      `quota.windowMs is ${formatDuration(windowMs)}, shorter than 24 hours: it does not cap the API's daily limit of ` +
        `${API_DAILY_ISSUE_LIMIT} tokens, so a real API user can still be banned. Use it only for tests or custom servers.`,
    );
  }
  return { limit, windowMs, warnings };
}

/** The limit and window a quota decision uses. */
export interface QuotaWindow {
  limit: number;
  windowMs: number;
}

/** The answer of {@link decideQuota}. */
export interface QuotaVerdict {
  granted: boolean;
  /** Reservations inside the window after the decision (the new one included when granted). */
  used: number;
  /** Reservations left in the window after the decision. */
  remaining: number;
  /** When denied: the earliest time at which a reservation would be granted. */
  retryAt?: number;
}

/**
 * The sliding-window decision every `TokenStore` implements (atomically, on its own clock): an entry
 * counts while `time > now - windowMs`; a new reservation is granted iff fewer than `limit` entries
 * count. When denied, `retryAt` is when enough entries have aged out for one more grant, i.e. the
 * oldest counted entry plus `windowMs` (or a later one if the limit was lowered below what is used).
 * Input order does not matter.
 *
 * @example
 * decideQuota([t1, t2], now, { limit: 25, windowMs: 86_400_000 }); // { granted: true, used: 3, remaining: 22 }
 */
export function decideQuota(reservedAt: readonly number[], now: number, options: QuotaWindow): QuotaVerdict {
  const counted = countedEntries(reservedAt, now, options.windowMs);
  const used = counted.length;
  if (used < options.limit) {
    return { granted: true, used: used + 1, remaining: options.limit - used - 1 };
  }
  return { granted: false, used, remaining: 0, retryAt: retryAtFor(counted, now, options) };
}

/** Quota state for status displays; `retryAt` is set only when the next reservation would be denied. */
export interface QuotaSummary {
  used: number;
  limit: number;
  remaining: number;
  retryAt: number | null;
}

/** Reads the window without reserving: how much is used and, when it is spent, when it frees up. */
export function quotaSummary(reservedAt: readonly number[], now: number, options: QuotaWindow): QuotaSummary {
  const counted = countedEntries(reservedAt, now, options.windowMs);
  const used = counted.length;
  const remaining = Math.max(0, options.limit - used);
  return {
    used,
    limit: options.limit,
    remaining,
    retryAt: remaining > 0 ? null : retryAtFor(counted, now, options),
  };
}

/** Entries inside the window, oldest first. */
function countedEntries(reservedAt: readonly number[], now: number, windowMs: number): number[] {
  const since = now - windowMs;
  return reservedAt.filter((time) => time > since).sort((a, b) => a - b);
}

/** With `counted` sorted and at least `limit` long: the time at which only `limit - 1` of them still count. */
function retryAtFor(counted: readonly number[], now: number, options: QuotaWindow): number {
  const index = Math.max(0, counted.length - options.limit);
  return (counted[index] ?? now) + options.windowMs;
}

function describeNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value;
}
