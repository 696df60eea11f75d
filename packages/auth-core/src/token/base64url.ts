/**
 * Base64url without `Buffer` (the package is platform-neutral). Internal: not exported from the index.
 */

const BASE64URL = /^[A-Za-z0-9_-]*={0,2}$/;

/** Encodes bytes as unpadded base64url. */
export function encodeBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes base64url, padded or not. Returns `null` for anything that is not canonical base64url
 * (wrong alphabet, impossible length, misplaced or excess padding) instead of guessing.
 */
export function decodeBase64url(text: string): Uint8Array | null {
  if (!BASE64URL.test(text)) return null;
  const padIndex = text.indexOf('=');
  const body = padIndex === -1 ? text : text.slice(0, padIndex);
  if (body.length % 4 === 1) return null;
  if (padIndex !== -1 && text.length % 4 !== 0) return null;
  return decodeStandard(body.replace(/-/g, '+').replace(/_/g, '/'));
}

/** Decodes standard base64 (`+/`), padded or not; `null` when invalid. */
export function decodeBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const padIndex = text.indexOf('=');
  const body = padIndex === -1 ? text : text.slice(0, padIndex);
  if (body.length % 4 === 1) return null;
  if (padIndex !== -1 && text.length % 4 !== 0) return null;
  return decodeStandard(body);
}

function decodeStandard(body: string): Uint8Array | null {
  const padded = body + '='.repeat((4 - (body.length % 4)) % 4);
  let binary: string;
  try {
    binary = atob(padded);
  } catch {
    return null;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** UTF-8 bytes of `text`. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(text);
}

/** Strict UTF-8 decoding; `null` for invalid sequences. */
export function fromUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}
