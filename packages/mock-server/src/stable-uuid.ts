import { createHash } from 'node:crypto';

/** Namespace of the name-based account UUIDs (a fixed random UUID, so runs agree). */
const ACCOUNT_NAMESPACE = Buffer.from('4f1d2c8e9b3a47d6a0e5c1b2d3f4a5b6', 'hex');

/**
 * A version-5 (name-based, SHA-1) UUID for `name`: the same user gets the same `account.uuid`
 * on every run, so tests can hard-code it.
 */
export function stableUuid(name: string): string {
  const hash = createHash('sha1').update(ACCOUNT_NAMESPACE).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
