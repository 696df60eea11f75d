/** Builds unsigned-looking JWS compact tokens for tests (the library never verifies signatures). */

export function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

export function makeJwt(payload: unknown, header: unknown = { typ: 'JWT', alg: 'HS256' }): string {
  const encode = (part: unknown) => base64url(typeof part === 'string' ? part : JSON.stringify(part));
  return `${encode(header)}.${encode(payload)}.${base64url('not-a-real-signature')}`;
}

/** A token shaped like the ones the Connexease API issues: 24 h between `iat` and `exp`. */
export function connexeaseJwt(iatSeconds: number, overrides: Record<string, unknown> = {}): string {
  return makeJwt({
    user_id: 4242,
    username: 'john.doe',
    email: 'john.doe@example.com',
    iat: iatSeconds,
    exp: iatSeconds + 86_400,
    ...overrides,
  });
}
