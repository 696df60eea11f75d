import { ConnexeaseAuthError } from '../errors.ts';
import { tryDecodeJwt } from './jwt.ts';

/** A Connexease JWT's validity: 24 hours. Also the upper bound on any computed expiry. */
export const TOKEN_LIFETIME_MS: number = 86_400_000;

/** Default lead time for the background refresh: 30 minutes before expiry. */
export const DEFAULT_REFRESH_BEFORE_EXPIRY_MS: number = 1_800_000;

/** When a token was received, when it stops working and when to start refreshing it (epoch ms, local clock). */
export interface TokenTimes {
  issuedAt: number;
  expiresAt: number;
  refreshAt: number;
}

/** What {@link computeTokenTimes} needs: the token and when (local clock) and with what `Date` header it arrived. */
export interface TokenTimesInput {
  token: string;
  /** Local clock when the response arrived (epoch ms). */
  receivedAt: number;
  /** The response's `Date` header (epoch ms), when it had a valid one. */
  serverDate?: number;
  /** Default {@link DEFAULT_REFRESH_BEFORE_EXPIRY_MS}; capped at half the token's life. */
  refreshBeforeExpiryMs?: number;
}

/**
 * Works out a fresh token's times on the local clock.
 *
 * - `issuedAt` is `receivedAt`.
 * - `expiresAt` is the `exp` claim (seconds) shifted by the clock skew `receivedAt - serverDate` (when
 *   `serverDate` is a finite number), then capped at `receivedAt + 24 h`. A token without a usable `exp`
 *   (missing, not a finite number, or not a JWT at all) gets `receivedAt + 24 h`.
 * - There is deliberately no lower bound: a token whose corrected `exp` is already past comes back with
 *   `expiresAt <= receivedAt`, so the caller can see it is due ({@link isTokenDue}) and fail instead of
 *   issuing again.
 * - `refreshAt` is {@link refreshPoint}: `refreshBeforeExpiryMs` before expiry, at most half the life.
 * - `expiresAt` is rounded down to a whole millisecond (stores derive TTLs from it), so a token with
 *   less than 1 ms of life left on receipt is due.
 *
 * @throws ConnexeaseAuthError `INVALID_RESPONSE` if `receivedAt` is not a finite number,
 *   `CONFIG_INVALID` if `refreshBeforeExpiryMs` is negative or not finite.
 */
export function computeTokenTimes(input: TokenTimesInput): TokenTimes {
  const { token, receivedAt, serverDate, refreshBeforeExpiryMs = DEFAULT_REFRESH_BEFORE_EXPIRY_MS } = input;
  if (typeof receivedAt !== 'number' || !Number.isFinite(receivedAt)) {
    throw new ConnexeaseAuthError(
      'INVALID_RESPONSE',
      'receivedAt must be a finite epoch-milliseconds number',
    );
  }
  const latest = receivedAt + TOKEN_LIFETIME_MS;
  const exp = tryDecodeJwt(token)?.payload.exp;
  let expiresAt = latest;
  if (typeof exp === 'number' && Number.isFinite(exp)) {
    const skew = typeof serverDate === 'number' && Number.isFinite(serverDate) ? receivedAt - serverDate : 0;
    const localExpiry = exp * 1000 + skew;
    if (Number.isFinite(localExpiry)) expiresAt = Math.min(localExpiry, latest);
  }
  // Whole milliseconds (stores set TTLs from these), rounded down so a token never outlives its exp.
  expiresAt = Math.floor(expiresAt);
  return {
    issuedAt: receivedAt,
    expiresAt,
    refreshAt: refreshPoint(receivedAt, expiresAt, refreshBeforeExpiryMs),
  };
}

/**
 * When to start refreshing: `expiresAt - min(refreshBeforeExpiryMs, (expiresAt - issuedAt) / 2)`, so a
 * token is always used for at least half its life. The answer is rounded up to a whole millisecond but
 * never past `expiresAt`. A token with no life left (`expiresAt <= issuedAt`) is due at once: the
 * answer is `expiresAt`.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` if `refreshBeforeExpiryMs` is negative or not finite.
 */
export function refreshPoint(issuedAt: number, expiresAt: number, refreshBeforeExpiryMs: number): number {
  if (
    typeof refreshBeforeExpiryMs !== 'number' ||
    !(refreshBeforeExpiryMs >= 0) ||
    !Number.isFinite(refreshBeforeExpiryMs)
  ) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      'refreshBeforeExpiryMs must be a finite number of milliseconds >= 0',
    );
  }
  const halfLife = (expiresAt - issuedAt) / 2;
  const lead = Math.max(0, Math.min(refreshBeforeExpiryMs, halfLife));
  // Rounded up to a whole millisecond, which keeps it at or after the half-life point and never past expiry.
  return Math.min(Math.ceil(expiresAt - lead), expiresAt);
}

/**
 * Whether a token is due for refresh at `now` (`now >= refreshAt`). A token still serves requests until
 * it expires ({@link isTokenExpired}); a token that is due the moment it arrives is an error, never a
 * reason to issue again.
 */
export function isTokenDue(times: { refreshAt: number }, now: number): boolean {
  return !(now < times.refreshAt);
}

/** Whether a token no longer works at `now` (`now >= expiresAt`). */
export function isTokenExpired(times: { expiresAt: number }, now: number): boolean {
  return !(now < times.expiresAt);
}
