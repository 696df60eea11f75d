import {
  computeTokenTimes,
  DEFAULT_REFRESH_BEFORE_EXPIRY_MS,
  isTokenDue,
  isTokenExpired,
  refreshPoint,
  TOKEN_LIFETIME_MS,
} from '@connexease-kit/auth-core/store';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { catchAuthError } from './support/errors.ts';
import { base64url, connexeaseJwt, makeJwt } from './support/jwt.ts';

const HOUR = 3_600_000;
const iat = 1_767_225_600; // 2026-01-01T00:00:00Z
const receivedAt = iat * 1000 + 250; // the response arrived 250 ms after the server stamped it

describe('computeTokenTimes', () => {
  test('exposes the documented constants', () => {
    expect(TOKEN_LIFETIME_MS).toBe(86_400_000);
    expect(DEFAULT_REFRESH_BEFORE_EXPIRY_MS).toBe(1_800_000);
  });

  test('a fresh 24 h token with synchronised clocks expires 24 h after receipt and refreshes 30 min earlier', () => {
    const times = computeTokenTimes({ token: connexeaseJwt(iat), receivedAt, serverDate: receivedAt });
    expect(times.issuedAt).toBe(receivedAt);
    // exp is iat + 24 h, which is 250 ms before receipt + 24 h
    expect(times.expiresAt).toBe((iat + 86_400) * 1000);
    expect(times.refreshAt).toBe(times.expiresAt - 30 * 60_000);
  });

  test('corrects exp by the skew between the Date header and the local clock', () => {
    const localAhead = 5 * 60_000;
    const serverDate = iat * 1000;
    const token = makeJwt({ iat, exp: iat + 3600 });
    const times = computeTokenTimes({ token, receivedAt: serverDate + localAhead, serverDate });
    expect(times.expiresAt).toBe((iat + 3600) * 1000 + localAhead);

    const behind = computeTokenTimes({ token, receivedAt: serverDate - localAhead, serverDate });
    expect(behind.expiresAt).toBe((iat + 3600) * 1000 - localAhead);
  });

  test('ignores a missing or non-finite serverDate (no skew correction)', () => {
    const token = makeJwt({ exp: iat + 3600 });
    for (const serverDate of [undefined, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(computeTokenTimes({ token, receivedAt, serverDate }).expiresAt).toBe((iat + 3600) * 1000);
    }
  });

  test('clamps an exp further than 24 h away to receipt + 24 h', () => {
    const token = makeJwt({ iat, exp: iat + 7 * 86_400 });
    expect(computeTokenTimes({ token, receivedAt }).expiresAt).toBe(receivedAt + TOKEN_LIFETIME_MS);
  });

  test('a clock far ahead cannot stretch a token beyond 24 h', () => {
    const serverDate = iat * 1000;
    const times = computeTokenTimes({
      token: connexeaseJwt(iat),
      receivedAt: serverDate + 6 * HOUR,
      serverDate,
    });
    expect(times.expiresAt).toBe(serverDate + 6 * HOUR + TOKEN_LIFETIME_MS);
  });

  test.each([
    ['no exp', makeJwt({ iat })],
    ['a string exp', makeJwt({ exp: String(iat + 3600) })],
    ['a null exp', makeJwt({ exp: null })],
    ['an overflowing exp', `${base64url('{"alg":"HS256"}')}.${base64url('{"exp":1e400}')}.sig`],
    ['a non-JSON payload', `${base64url('{"alg":"HS256"}')}.${base64url('exp=1')}.sig`],
    ['two segments', `${base64url('{}')}.${base64url('{"exp":1}')}`],
    ['four segments', `${connexeaseJwt(iat)}.extra`],
    ['an opaque token', 'awesomejwttoken'],
  ])('falls back to receipt + 24 h for %s', (_, token) => {
    const times = computeTokenTimes({ token, receivedAt, serverDate: receivedAt - 1000 });
    expect(times.expiresAt).toBe(receivedAt + TOKEN_LIFETIME_MS);
    expect(times.refreshAt).toBe(receivedAt + TOKEN_LIFETIME_MS - DEFAULT_REFRESH_BEFORE_EXPIRY_MS);
  });

  test('returns the real expiry of a token that is already due, so the caller can refuse it', () => {
    const token = makeJwt({ iat: iat - 86_400, exp: iat - 60 });
    const times = computeTokenTimes({ token, receivedAt, serverDate: receivedAt });
    expect(times.expiresAt).toBe((iat - 60) * 1000);
    expect(times.expiresAt).toBeLessThan(receivedAt);
    expect(times.refreshAt).toBe(times.expiresAt);
    expect(isTokenDue(times, receivedAt)).toBe(true);
    expect(isTokenExpired(times, receivedAt)).toBe(true);
  });

  test('works in whole milliseconds: expiry rounds down, the refresh point up', () => {
    const token = makeJwt({ exp: iat + 0.0015 });
    const times = computeTokenTimes({ token, receivedAt: iat * 1000, serverDate: iat * 1000 });
    expect(times.expiresAt).toBe(iat * 1000 + 1);
    expect(times.refreshAt).toBe(iat * 1000 + 1);
    const sub = computeTokenTimes({ token: makeJwt({ exp: iat + 0.0005 }), receivedAt: iat * 1000 });
    expect(sub.expiresAt).toBe(iat * 1000);
    expect(isTokenDue(sub, iat * 1000)).toBe(true);
    expect(refreshPoint(0, 3, 10)).toBe(2);
  });

  test('caps the refresh lead at half of a short life', () => {
    const token = makeJwt({ exp: iat + 40 * 60 });
    const times = computeTokenTimes({ token, receivedAt: iat * 1000, serverDate: iat * 1000 });
    expect(times.refreshAt).toBe(iat * 1000 + 20 * 60_000);
  });

  test('honours a custom refreshBeforeExpiryMs', () => {
    const times = computeTokenTimes({ token: 'opaque', receivedAt, refreshBeforeExpiryMs: HOUR });
    expect(times.refreshAt).toBe(receivedAt + TOKEN_LIFETIME_MS - HOUR);
  });

  test('rejects a receivedAt that is not a finite number', () => {
    expect(catchAuthError(() => computeTokenTimes({ token: 'x', receivedAt: Number.NaN })).code).toBe(
      'INVALID_RESPONSE',
    );
  });

  test('rejects a negative refreshBeforeExpiryMs', () => {
    const error = catchAuthError(() =>
      computeTokenTimes({ token: 'x', receivedAt, refreshBeforeExpiryMs: -1 }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('refreshBeforeExpiryMs');
  });
});

describe('refreshPoint', () => {
  test('refreshes refreshBeforeExpiryMs ahead while that is under half the life', () => {
    expect(refreshPoint(0, 24 * HOUR, HOUR)).toBe(23 * HOUR);
    expect(refreshPoint(0, 24 * HOUR, 0)).toBe(24 * HOUR);
  });

  test('never refreshes before half the life', () => {
    expect(refreshPoint(1000, 3000, 10 * HOUR)).toBe(2000);
  });

  test('a token with no life is due at its expiry', () => {
    expect(refreshPoint(5000, 5000, HOUR)).toBe(5000);
    expect(refreshPoint(5000, 1000, HOUR)).toBe(1000);
  });

  test.each([Number.NaN, -1, Number.POSITIVE_INFINITY])('rejects refreshBeforeExpiryMs %s', (value) => {
    expect(catchAuthError(() => refreshPoint(0, HOUR, value)).code).toBe('CONFIG_INVALID');
  });
});

describe('isTokenDue / isTokenExpired', () => {
  test('switch exactly at refreshAt and expiresAt', () => {
    const times = { issuedAt: 0, refreshAt: 100, expiresAt: 200 };
    expect(isTokenDue(times, 99)).toBe(false);
    expect(isTokenDue(times, 100)).toBe(true);
    expect(isTokenExpired(times, 199)).toBe(false);
    expect(isTokenExpired(times, 200)).toBe(true);
  });
});

describe('computeTokenTimes properties', () => {
  const receipt = fc.integer({ min: 1_600_000_000_000, max: 2_100_000_000_000 });
  const skewMs = fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 });
  const expOffsetSeconds = fc.oneof(
    fc.integer({ min: -3 * 86_400, max: 3 * 86_400 }),
    fc.double({ min: -3 * 86_400, max: 3 * 86_400, noNaN: true }),
  );
  const junkExp = fc.oneof(
    fc.string(),
    fc.constant(null),
    fc.boolean(),
    fc.array(fc.integer()),
    fc.constant(undefined),
  );
  const refreshBefore = fc.integer({ min: 0, max: TOKEN_LIFETIME_MS });

  test('expiresAt never exceeds receipt + 24 h, and a future corrected exp gives a life in (0, 24 h]', () => {
    fc.assert(
      fc.property(
        receipt,
        fc.option(skewMs, { nil: undefined }),
        fc.oneof(expOffsetSeconds, junkExp),
        refreshBefore,
        (receivedAt, skew, expOffset, refreshBeforeExpiryMs) => {
          const serverDate = skew === undefined ? undefined : receivedAt - skew;
          const serverSeconds = (serverDate ?? receivedAt) / 1000;
          const exp = typeof expOffset === 'number' ? serverSeconds + expOffset : expOffset;
          const token = makeJwt(exp === undefined ? { iat: 1 } : { exp });
          const times = computeTokenTimes({ token, receivedAt, serverDate, refreshBeforeExpiryMs });

          expect(times.issuedAt).toBe(receivedAt);
          expect(times.expiresAt).toBeLessThanOrEqual(receivedAt + TOKEN_LIFETIME_MS);
          expect(Number.isInteger(times.expiresAt)).toBe(true);
          expect(Number.isInteger(times.refreshAt)).toBe(true);
          const correctedExp = typeof exp === 'number' ? exp * 1000 + (skew ?? 0) : Number.POSITIVE_INFINITY;
          if (correctedExp > receivedAt) {
            // A future exp always leaves a life; only one shorter than the 1 ms resolution counts as due.
            expect(times.expiresAt).toBeGreaterThanOrEqual(receivedAt);
            if (correctedExp >= receivedAt + 1) {
              expect(times.expiresAt).toBeGreaterThan(receivedAt);
              expect(isTokenDue(times, receivedAt)).toBe(false);
            }
          } else {
            expect(times.expiresAt).toBeLessThanOrEqual(receivedAt);
            expect(isTokenDue(times, receivedAt)).toBe(true);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('refreshAt always lies in [issuedAt + half the life, expiresAt]', () => {
    fc.assert(
      fc.property(
        receipt,
        fc.integer({ min: 1, max: TOKEN_LIFETIME_MS }),
        refreshBefore,
        (issuedAt, life, lead) => {
          const expiresAt = issuedAt + life;
          const refreshAt = refreshPoint(issuedAt, expiresAt, lead);
          expect(refreshAt).toBeGreaterThanOrEqual(issuedAt + life / 2);
          expect(refreshAt).toBeLessThanOrEqual(expiresAt);
        },
      ),
      { numRuns: 1000 },
    );
  });

  test('for real tokens too: refreshAt is in [issuedAt + half the life, expiresAt] whenever the life is positive', () => {
    fc.assert(
      fc.property(
        receipt,
        expOffsetSeconds,
        refreshBefore,
        (receivedAt, expOffset, refreshBeforeExpiryMs) => {
          const token = makeJwt({ exp: receivedAt / 1000 + expOffset });
          const times = computeTokenTimes({
            token,
            receivedAt,
            serverDate: receivedAt,
            refreshBeforeExpiryMs,
          });
          const life = times.expiresAt - times.issuedAt;
          if (life > 0) {
            expect(times.refreshAt).toBeGreaterThanOrEqual(times.issuedAt + life / 2);
            expect(times.refreshAt).toBeLessThanOrEqual(times.expiresAt);
          } else {
            expect(times.refreshAt).toBe(times.expiresAt);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
});
