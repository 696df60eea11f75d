import { ConnexeaseAuthError } from '../errors.ts';
import { MAX_TIMER_MS } from '../store/store-timers.ts';
import { normalizeBaseUrl } from '../url.ts';

/** Per-attempt HTTP timeout used when none is given: 10 seconds. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Validates an API base URL the way the provider does (same namespace for equivalent spellings) and
 * returns it with one trailing slash, so relative inputs (`'jwt/'`, `'some/endpoint/'`) extend its
 * path instead of replacing its last segment.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` naming `name`, never echoing the URL.
 */
export function baseUrlWithSlash(value: string, name: string): string {
  return `${normalizeBaseUrl(value, name)}/`;
}

/**
 * Checks a timeout option: a positive integer number of milliseconds no larger than 2^31 - 1.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` naming `name`.
 */
export function checkTimeoutMs(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > MAX_TIMER_MS) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `${name} must be a positive integer number of milliseconds no larger than ${MAX_TIMER_MS}`,
    );
  }
  return value;
}
