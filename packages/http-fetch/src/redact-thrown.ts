import { isConnexeaseAuthError } from '@connexease-kit/auth-core';
import {
  REDACTED,
  redactAuthorizationHeader,
  sanitizeTransportError,
} from '@connexease-kit/auth-core/transport';

/** How deep {@link mentions} looks into an error's properties and causes. */
const MAX_DEPTH = 4;

/**
 * What a signed fetch rethrows when the `fetch` under it fails: the same error when it cannot show the
 * token (undici's `TypeError: fetch failed`, an `AbortError`, a `ConnexeaseAuthError`), with the
 * `Authorization` header of a `request` it carries redacted; otherwise (a custom fetch that put the
 * header into its message or its properties) a plain copy holding only its name and messages, the token
 * replaced by `[redacted]`.
 */
export function redactThrown(error: unknown, authorization: string): unknown {
  if (isConnexeaseAuthError(error)) return error;
  const carried = (error as { request?: unknown } | null)?.request;
  if (typeof Request !== 'undefined' && carried instanceof Request)
    redactAuthorizationHeader(carried.headers);
  const token = authorization.slice(authorization.indexOf(' ') + 1);
  if (token === '' || !mentions(error, token, 0, new Set())) return error;
  const copy = sanitizeTransportError(error);
  copy.message = copy.message.replaceAll(token, REDACTED);
  copy.stack = `${copy.name}: ${copy.message}`;
  return copy;
}

/** Whether `value` or anything it holds (own properties, causes, headers) contains `token`. */
function mentions(value: unknown, token: string, depth: number, seen: Set<object>): boolean {
  if (typeof value === 'string') return value.includes(token);
  if (typeof value !== 'object' || value === null || depth > MAX_DEPTH || seen.has(value)) return false;
  seen.add(value);
  if (typeof Headers !== 'undefined' && value instanceof Headers) {
    return [...value.values()].some((header) => header.includes(token));
  }
  for (const key of Object.getOwnPropertyNames(value)) {
    let inner: unknown;
    try {
      inner = (value as Record<string, unknown>)[key];
    } catch {
      continue;
    }
    if (mentions(inner, token, depth + 1, seen)) return true;
  }
  return false;
}
