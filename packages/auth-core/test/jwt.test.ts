import { ConnexeaseAuthError, decodeJwt, tryDecodeJwt } from '@connexease-kit/auth-core';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { catchAuthError } from './support/errors.ts';
import { base64url, connexeaseJwt, makeJwt } from './support/jwt.ts';

describe('decodeJwt', () => {
  test('reads the header and the claims of a Connexease-shaped token', () => {
    const token = connexeaseJwt(1_767_225_600);
    expect(decodeJwt(token)).toEqual({
      header: { typ: 'JWT', alg: 'HS256' },
      payload: {
        user_id: 4242,
        username: 'john.doe',
        email: 'john.doe@example.com',
        iat: 1_767_225_600,
        exp: 1_767_225_600 + 86_400,
      },
    });
  });

  test('accepts padded base64url segments and an empty signature (unsecured JWT)', () => {
    const header = Buffer.from('{"alg":"none"}').toString('base64url');
    const payload = Buffer.from('{"exp":10}').toString('base64');
    expect(payload.endsWith('=')).toBe(true);
    expect(decodeJwt(`${header}.${payload}.`).payload).toEqual({ exp: 10 });
  });

  test('keeps claims of any type as they are (no verification, no coercion)', () => {
    const token = makeJwt({ exp: '1767225600', nested: { a: [1, 2] } });
    expect(decodeJwt(token).payload).toEqual({ exp: '1767225600', nested: { a: [1, 2] } });
  });

  const header = base64url('{"typ":"JWT","alg":"HS256"}');
  const payload = base64url('{"exp":1767225600}');
  test.each([
    ['two segments', `${header}.${payload}`, /3 dot-separated segments, got 2/],
    ['four segments', `${header}.${payload}.sig.extra`, /got 4/],
    ['one segment', 'awesomejwttoken', /got 1/],
    ['an empty string', '', /got 1/],
    ['an empty header', `.${payload}.sig`, /header is empty/],
    ['an empty payload', `${header}..sig`, /payload is empty/],
    ['bad base64 in the payload', `${header}.pay*load.sig`, /payload is not base64url/],
    ['standard base64 characters', `${header}.${payload}+/.sig`, /payload is not base64url/],
    ['an impossible base64 length', `${header}.${payload}a.sig`, /payload is not base64url/],
    ['misplaced padding', `${header}.ey=J9.sig`, /payload is not base64url/],
    ['a non-JSON payload', `${header}.${base64url('not json')}.sig`, /payload is not JSON/],
    ['a JSON array payload', `${header}.${base64url('[1,2]')}.sig`, /payload is not a JSON object/],
    ['a JSON null payload', `${header}.${base64url('null')}.sig`, /payload is not a JSON object/],
    ['a JSON number header', `${base64url('42')}.${payload}.sig`, /header is not a JSON object/],
    ['invalid UTF-8', `${header}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.sig`, /not UTF-8/],
    ['a bad signature alphabet', `${header}.${payload}.si%g`, /signature/],
  ])('rejects %s with INVALID_RESPONSE', (_, token, reason) => {
    const error = catchAuthError(() => decodeJwt(token));
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(error.message).toMatch(reason);
    expect(tryDecodeJwt(token)).toBeNull();
  });

  test('never echoes the token in its message', () => {
    const secretPayload = base64url('{"secret":"hunter2-SECRET"');
    const token = `${header}.${secretPayload}.sig`;
    const error = catchAuthError(() => decodeJwt(token));
    expect(error.message).not.toContain(secretPayload);
    expect(error.message).not.toContain('hunter2-SECRET');
  });

  test('rejects a non-string as INVALID_RESPONSE', () => {
    expect(catchAuthError(() => decodeJwt(42 as unknown as string)).code).toBe('INVALID_RESPONSE');
  });

  test('throws nothing but ConnexeaseAuthError for any string (property)', () => {
    const segment = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary' }),
      fc.base64String().map((text) => text.replace(/\+/g, '-').replace(/\//g, '_')),
      fc.json().map(base64url),
      fc.jsonValue().map((value) => base64url(JSON.stringify(value))),
    );
    const tokenish = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.array(segment, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.')),
    );
    fc.assert(
      fc.property(tokenish, (token) => {
        try {
          const decoded = decodeJwt(token);
          expect(typeof decoded.header).toBe('object');
          expect(typeof decoded.payload).toBe('object');
          expect(Array.isArray(decoded.payload)).toBe(false);
        } catch (error) {
          expect(error).toBeInstanceOf(ConnexeaseAuthError);
          expect((error as ConnexeaseAuthError).code).toBe('INVALID_RESPONSE');
        }
      }),
      { numRuns: 2000 },
    );
  });

  test('decodes every token made from JSON objects (property)', () => {
    const object = fc.dictionary(fc.string(), fc.jsonValue());
    fc.assert(
      fc.property(object, object, (headerValue, payloadValue) => {
        const decoded = decodeJwt(makeJwt(payloadValue, headerValue));
        expect(decoded.header).toEqual(JSON.parse(JSON.stringify(headerValue)));
        expect(decoded.payload).toEqual(JSON.parse(JSON.stringify(payloadValue)));
      }),
    );
  });
});
