import type { MockState } from './state.ts';
import type { ApiScheme } from './types.ts';

/** Why an API call was refused; sent in the `X-Mock-Reason` header so tests can tell 401s apart. */
export type ApiRejection =
  | 'missing'
  | 'unsupported_scheme'
  | 'malformed_header'
  | 'wrong_scheme'
  | 'unknown_access_token'
  | 'expired'
  | 'revoked'
  | 'bad_signature'
  | 'malformed'
  | 'user_not_found'
  | 'user_inactive';

export type ApiAuthentication =
  | { ok: true; scheme: Exclude<ApiScheme, 'none'>; username?: string }
  | { ok: false; scheme: ApiScheme; reason: ApiRejection; body: Record<string, string> };

const NOT_PROVIDED = { detail: 'Authentication credentials were not provided.' };
const TOKEN_NOT_VALID = { detail: 'Given token not valid for any token type', code: 'token_not_valid' };
const BLACKLISTED = { detail: 'Token is blacklisted', code: 'token_not_valid' };
const INVALID_ACCESS_TOKEN = { detail: 'Invalid token.' };

/** The scheme an `Authorization` value claims (case-insensitive), for stats. */
export function schemeOf(header: string | undefined): ApiScheme {
  const scheme = header?.split(' ', 1)[0]?.toLowerCase();
  if (scheme === 'jwt') return 'JWT';
  if (scheme === 'bearer') return 'Bearer';
  return 'none';
}

/**
 * Checks an `Authorization` value the way the API does: `JWT <token>` needs a JWT this mock signed that is
 * unexpired, unrevoked and belongs to a known, non-inactive user (tokens of banned users keep working);
 * `Bearer <token>` needs a configured Account Access Token. A JWT sent as Bearer, or an access token sent
 * as JWT, is refused (`wrong_scheme`). Bodies follow Django REST framework / simplejwt.
 */
export async function authenticate(state: MockState, header: string | undefined): Promise<ApiAuthentication> {
  const scheme = schemeOf(header);
  if (!header) return reject(scheme, 'missing', NOT_PROVIDED);
  if (scheme === 'none') return reject(scheme, 'unsupported_scheme', NOT_PROVIDED);
  const parts = header.split(' ');
  if (parts.length === 1 || parts[1] === '') {
    return reject(scheme, 'malformed_header', { detail: 'Invalid token header. No credentials provided.' });
  }
  if (parts.length > 2) {
    return reject(scheme, 'malformed_header', {
      detail: 'Invalid token header. Token string should not contain spaces.',
    });
  }
  const token = parts[1]!;

  if (scheme === 'Bearer') {
    if (state.accessTokens.has(token)) return { ok: true, scheme };
    const asJwt = await state.tokens.verify(token, state.now());
    return reject(scheme, asJwt.ok ? 'wrong_scheme' : 'unknown_access_token', INVALID_ACCESS_TOKEN);
  }

  if (state.accessTokens.has(token)) return reject(scheme, 'wrong_scheme', TOKEN_NOT_VALID);
  const verification = await state.tokens.verify(token, state.now());
  if (!verification.ok) {
    const body = verification.reason === 'revoked' ? BLACKLISTED : TOKEN_NOT_VALID;
    return reject(scheme, verification.reason, body);
  }
  const user = state.users.find(verification.claims.username);
  if (!user) return reject(scheme, 'user_not_found', { detail: 'User not found', code: 'user_not_found' });
  if (user.status === 'inactive') {
    return reject(scheme, 'user_inactive', { detail: 'User is inactive', code: 'user_inactive' });
  }
  return { ok: true, scheme, username: user.username };
}

function reject(scheme: ApiScheme, reason: ApiRejection, body: Record<string, string>): ApiAuthentication {
  return { ok: false, scheme, reason, body };
}
