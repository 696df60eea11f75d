/**
 * `<scheme> [REDACTED]` for an `Authorization` value (`JWT eyJ…` → `JWT [REDACTED]`): what a
 * transport leaves in a request that an error carries, so logging the error does not print the token.
 */
export function redactedAuthorization(value: string): string {
  const space = value.indexOf(' ');
  const scheme = space > 0 ? value.slice(0, space) : 'Authorization';
  return `${scheme} [REDACTED]`;
}

/**
 * Replaces the `Authorization` header in `headers` (a request's, which an error carries) with
 * {@link redactedAuthorization}. Immutable headers (a `Request` the runtime built) are left as they are.
 */
export function redactAuthorizationHeader(headers: Headers): void {
  const value = headers.get('authorization');
  if (value === null) return;
  try {
    headers.set('authorization', redactedAuthorization(value));
  } catch {
    // Immutable headers cannot be changed; nothing more can be done here.
  }
}
