import { ConnexeaseAuthError } from './errors.ts';

/** The Connexease API, used when no base URL is given. */
export const DEFAULT_BASE_URL: string = 'https://api.connexease.com';

/**
 * Validates and normalises an API base URL so that equivalent spellings give the same namespace:
 * an absolute `http:` or `https:` URL without credentials, query or fragment; scheme and host lower-cased
 * (by the WHATWG URL parser), default port dropped, surrounding whitespace and trailing slashes removed.
 * The URL is never echoed in the error (it might carry a secret).
 *
 * @param name What to call the value in error messages (`baseUrl`, `CONNEXEASE_BASE_URL`).
 * @throws ConnexeaseAuthError `CONFIG_INVALID` saying what to fix.
 *
 * @example
 * normalizeBaseUrl('HTTPS://API.connexease.com:443/'); // 'https://api.connexease.com'
 */
export function normalizeBaseUrl(value: string, name = 'baseUrl'): string {
  const example = 'such as https://api.connexease.com';
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConnexeaseAuthError('CONFIG_INVALID', `${name} must be an absolute http(s) URL ${example}`);
  }
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `${name} is not a valid URL; use an absolute http(s) URL ${example}`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `${name} must use http: or https: (got ${url.protocol}); ${example}`,
    );
  }
  if (url.username !== '' || url.password !== '') {
    throw new ConnexeaseAuthError('CONFIG_INVALID', `${name} must not contain a user name or password`);
  }
  if (url.search !== '' || url.hash !== '' || value.includes('?') || value.includes('#')) {
    throw new ConnexeaseAuthError('CONFIG_INVALID', `${name} must not have a query string or fragment`);
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}
