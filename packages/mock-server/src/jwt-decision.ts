import type { Reply } from './http.ts';
import { parseJsonBody } from './http.ts';
import { JWT_RESPONSE_BODIES, successBody } from './jwt-bodies.ts';
import type { MockState } from './state.ts';

/** The mock's answer to one `POST /jwt/` body, before any fault replaces it. */
export interface JwtDecision {
  reply: Reply;
  /** The username the body named, when it named one. */
  username?: string;
  /** The token issued, on success. */
  token?: string;
}

/**
 * Applies the documented rules, in this order:
 * 1. a body that is not JSON → 400 (`JSON parse error`); an empty body counts as `{}`;
 * 2. `username` missing, not a string or blank → 400 `Username is required.`;
 * 3. a banned user → 403 `This agent has been banned!`, whatever the password;
 * 4. an inactive user → 403 (empty body, or `{"detail": …}` with `inactiveBody: 'json'`), whatever the password;
 * 5. an unknown user or a wrong (or missing) password → 401 `No active account found…`;
 * 6. a valid request when the user's quota window is full → the user is banned, 403 banned;
 * 7. otherwise the issue is recorded (before signing, so concurrent requests cannot overshoot) → 200.
 */
export async function decideJwt(state: MockState, bodyText: string): Promise<JwtDecision> {
  const parsed = parseJsonBody(bodyText);
  if (parsed.kind === 'invalid') {
    return { reply: { status: 400, json: { detail: `JSON parse error - ${parsed.error}` } } };
  }
  const data = parsed.kind === 'json' && isPlainObject(parsed.value) ? parsed.value : {};
  const { username, password } = data;
  if (typeof username !== 'string' || username.trim() === '') {
    return { reply: { status: 400, json: JWT_RESPONSE_BODIES.usernameRequired } };
  }
  state.stats.jwtUser(username);

  const user = state.users.find(username);
  if (user?.status === 'banned')
    return { username, reply: { status: 403, json: JWT_RESPONSE_BODIES.banned } };
  if (user?.status === 'inactive') {
    const json = state.config.inactiveBody === 'json' ? JWT_RESPONSE_BODIES.inactive : undefined;
    return { username, reply: { status: 403, json } };
  }
  if (!user || typeof password !== 'string' || password !== user.password) {
    return { username, reply: { status: 401, json: JWT_RESPONSE_BODIES.invalidCredentials } };
  }

  const now = state.now();
  const { limit, windowMs } = state.config.quota;
  if (state.quota.used(username, now, windowMs) >= limit) {
    user.status = 'banned';
    state.stats.banned(username);
    return { username, reply: { status: 403, json: JWT_RESPONSE_BODIES.banned } };
  }
  state.quota.record(username, now);
  state.stats.issued(username, now);
  const token = await state.tokens.sign(user, Math.floor(now / 1000), state.config.tokenLifetimeSeconds);
  return { username, token, reply: { status: 200, json: successBody(token, user.accountUuid) } };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
