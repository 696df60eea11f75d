import type { AuthMode } from '../credentials.ts';
import { ConnexeaseAuthError } from '../errors.ts';

/** The `Authorization` scheme name the Connexease API expects for each mode. */
const SCHEME_BY_MODE: Readonly<Record<AuthMode, string>> = { jwt: 'JWT', bearer: 'Bearer' };

const HEADER_SAFE_TOKEN = /^[\x21-\x7e]+$/;

/**
 * Whether `token` can be carried as the credentials part of an `Authorization` header: non-empty and
 * only visible ASCII (0x21-0x7E), so no spaces, tabs, CR/LF, other control characters or non-ASCII.
 */
export function isHeaderSafeToken(token: string): boolean {
  return typeof token === 'string' && HEADER_SAFE_TOKEN.test(token);
}

/**
 * Says which header-safety rule `token` breaks, or `null` when it is safe. The description names the
 * rule and the length only, never the token itself, so it can go into an error message.
 */
export function describeUnsafeToken(token: unknown): string | null {
  if (typeof token !== 'string') return `is not a string (got ${token === null ? 'null' : typeof token})`;
  if (token.length === 0) return 'is empty';
  if (HEADER_SAFE_TOKEN.test(token)) return null;
  let rule: string;
  if (/[\r\n]/.test(token)) rule = 'contains a line break (CR/LF)';
  else if (/[ \t]/.test(token)) rule = 'contains whitespace';
  else if (Array.from(token).some(isControlCharacter)) rule = 'contains a control character';
  else rule = 'contains a non-ASCII character';
  return `${rule}; a token must be visible ASCII only (length ${token.length})`;
}

/**
 * Builds the `Authorization` header value: `JWT <token>` for `'jwt'`, `Bearer <token>` for `'bearer'`.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` when a bearer token (user-supplied) is not header-safe,
 *   `INVALID_RESPONSE` when a JWT (server-supplied) is not. The message never contains the token.
 *
 * @example
 * formatAuthorization('jwt', 'eyJ…'); // 'JWT eyJ…'
 */
export function formatAuthorization(mode: AuthMode, token: string): string {
  const scheme = SCHEME_BY_MODE[mode];
  if (scheme === undefined || !Object.hasOwn(SCHEME_BY_MODE, mode)) {
    throw new ConnexeaseAuthError('CONFIG_INVALID', "auth mode must be 'jwt' or 'bearer'");
  }
  const problem = describeUnsafeToken(token);
  if (problem !== null) {
    if (mode === 'bearer') {
      throw new ConnexeaseAuthError('CONFIG_INVALID', `credentials.accessToken ${problem}`);
    }
    throw new ConnexeaseAuthError('INVALID_RESPONSE', `the JWT from POST /jwt/ ${problem}`);
  }
  return `${scheme} ${token}`;
}

/**
 * Parses an `Authorization` value made by {@link formatAuthorization}: the scheme is matched
 * case-insensitively, followed by exactly one space and a header-safe token. Anything else is `null`.
 *
 * @example
 * parseAuthorization('jwt abc'); // { mode: 'jwt', token: 'abc' }
 * parseAuthorization('Basic abc'); // null
 */
export function parseAuthorization(value: string): { mode: AuthMode; token: string } | null {
  if (typeof value !== 'string') return null;
  const space = value.indexOf(' ');
  if (space === -1) return null;
  const scheme = value.slice(0, space).toLowerCase();
  const token = value.slice(space + 1);
  if (!isHeaderSafeToken(token)) return null;
  if (scheme === 'jwt') return { mode: 'jwt', token };
  if (scheme === 'bearer') return { mode: 'bearer', token };
  return null;
}

function isControlCharacter(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return code < 0x20 || code === 0x7f;
}
