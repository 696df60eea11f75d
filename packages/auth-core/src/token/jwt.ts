import { ConnexeaseAuthError } from '../errors.ts';
import { decodeBase64url, fromUtf8 } from './base64url.ts';

/** The two JSON parts of a JWS compact token. The signature is not checked. */
export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/**
 * Decodes a JWT's header and payload (base64url, padded or not, then JSON objects) without verifying
 * the signature: the client only needs the claims to know when to refresh; the API verifies tokens.
 *
 * @throws ConnexeaseAuthError `INVALID_RESPONSE` for anything malformed (not three segments, bad
 *   base64url, invalid UTF-8, not JSON, not a JSON object), and never any other error. Messages say
 *   which part failed and never contain the token.
 *
 * @example
 * decodeJwt(token).payload.exp; // 1767225600
 */
export function decodeJwt(token: string): DecodedJwt {
  if (typeof token !== 'string') throw malformed('it is not a string');
  const segments = token.split('.');
  if (segments.length !== 3) {
    throw malformed(`expected 3 dot-separated segments, got ${segments.length}`);
  }
  const [headerSegment, payloadSegment, signatureSegment] = segments as [string, string, string];
  if (signatureSegment !== '' && decodeBase64url(signatureSegment) === null) {
    throw malformed('the signature is not base64url');
  }
  return {
    header: decodeSegment(headerSegment, 'header'),
    payload: decodeSegment(payloadSegment, 'payload'),
  };
}

/** Like {@link decodeJwt}, but answers `null` instead of throwing for a malformed token. */
export function tryDecodeJwt(token: string): DecodedJwt | null {
  try {
    return decodeJwt(token);
  } catch {
    return null;
  }
}

function decodeSegment(segment: string, part: 'header' | 'payload'): Record<string, unknown> {
  if (segment === '') throw malformed(`the ${part} is empty`);
  const bytes = decodeBase64url(segment);
  if (bytes === null) throw malformed(`the ${part} is not base64url`);
  const text = fromUtf8(bytes);
  if (text === null) throw malformed(`the ${part} is not UTF-8`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(`the ${part} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`the ${part} is not a JSON object`);
  }
  return value as Record<string, unknown>;
}

function malformed(reason: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError('INVALID_RESPONSE', `the token is not a readable JWT: ${reason}`);
}
