import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import {
  formatAuthorization,
  isHeaderSafeToken,
  parseAuthorization,
} from '@connexease-kit/auth-core/transport';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { catchAuthError } from './support/errors.ts';
import { connexeaseJwt } from './support/jwt.ts';

const unsafeTokens: [string, string, RegExp][] = [
  ['empty', '', /is empty/],
  ['space', 'abc def', /whitespace/],
  ['tab', 'abc\tdef', /whitespace/],
  ['CRLF injection', 'abc\r\nX-Injected: 1', /line break/],
  ['bare LF', 'abc\n', /line break/],
  ['NUL', 'abc\u0000def', /control character/],
  ['DEL', 'abc\u007fdef', /control character/],
  ['non-ASCII', 'abcé', /non-ASCII/],
  ['emoji', 'tok🔑en', /non-ASCII/],
];

describe('formatAuthorization', () => {
  test('uses the JWT scheme for legacy tokens and Bearer for access tokens', () => {
    const jwt = connexeaseJwt(1_700_000_000);
    expect(formatAuthorization('jwt', jwt)).toBe(`JWT ${jwt}`);
    expect(formatAuthorization('bearer', 'cxat_abc.DEF-123~')).toBe('Bearer cxat_abc.DEF-123~');
  });

  test.each(unsafeTokens)(
    'rejects a bearer token that is %s as CONFIG_INVALID without echoing it',
    (_, token, rule) => {
      const error = catchAuthError(() => formatAuthorization('bearer', token));
      expect(error).toBeInstanceOf(ConnexeaseAuthError);
      expect(error.code).toBe('CONFIG_INVALID');
      expect(error.message).toMatch(rule);
      if (token !== '') expect(error.message).not.toContain(token);
    },
  );

  test.each(unsafeTokens)(
    'rejects a JWT that is %s as INVALID_RESPONSE (the server sent it)',
    (_, token, rule) => {
      const error = catchAuthError(() => formatAuthorization('jwt', token));
      expect(error.code).toBe('INVALID_RESPONSE');
      expect(error.message).toMatch(rule);
    },
  );

  test('says the length of a bad token but not its content', () => {
    const error = catchAuthError(() => formatAuthorization('bearer', 'secret-token-value with space'));
    expect(error.message).toContain('length 29');
    expect(error.message).not.toContain('secret-token-value');
  });

  test('rejects an unknown mode', () => {
    expect(catchAuthError(() => formatAuthorization('basic' as 'jwt', 'abc')).code).toBe('CONFIG_INVALID');
  });
});

describe('parseAuthorization', () => {
  test('reads both schemes case-insensitively', () => {
    expect(parseAuthorization('JWT abc.def.ghi')).toEqual({ mode: 'jwt', token: 'abc.def.ghi' });
    expect(parseAuthorization('jwt abc')).toEqual({ mode: 'jwt', token: 'abc' });
    expect(parseAuthorization('Bearer xyz')).toEqual({ mode: 'bearer', token: 'xyz' });
    expect(parseAuthorization('BEARER xyz')).toEqual({ mode: 'bearer', token: 'xyz' });
  });

  test.each([
    ['two spaces', 'JWT  abc'],
    ['no token', 'JWT '],
    ['no space', 'JWTabc'],
    ['unknown scheme', 'Basic dXNlcjpwYXNz'],
    ['trailing space', 'Bearer abc '],
    ['leading space', ' Bearer abc'],
    ['CRLF', 'Bearer abc\r\n'],
    ['empty', ''],
  ])('answers null for %s', (_, value) => {
    expect(parseAuthorization(value)).toBeNull();
  });

  test('answers null for a non-string', () => {
    expect(parseAuthorization(undefined as unknown as string)).toBeNull();
  });

  test('round-trips every header-safe token', () => {
    const safeToken = fc.string({ unit: fc.constantFrom(...printableAscii()), minLength: 1 });
    fc.assert(
      fc.property(fc.constantFrom('jwt' as const, 'bearer' as const), safeToken, (mode, token) => {
        expect(parseAuthorization(formatAuthorization(mode, token))).toEqual({ mode, token });
      }),
    );
  });
});

describe('isHeaderSafeToken', () => {
  test('accepts visible ASCII and nothing else', () => {
    expect(isHeaderSafeToken(printableAscii().join(''))).toBe(true);
    for (const [, token] of unsafeTokens) expect(isHeaderSafeToken(token)).toBe(false);
  });

  test('agrees with formatAuthorization on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (token) => {
        let formatted = true;
        try {
          formatAuthorization('bearer', token);
        } catch {
          formatted = false;
        }
        expect(formatted).toBe(isHeaderSafeToken(token));
      }),
    );
  });
});

function printableAscii(): string[] {
  return Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i));
}
