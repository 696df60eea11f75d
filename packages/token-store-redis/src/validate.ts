import { type BlockCode, ConnexeaseAuthError } from '@connexease-kit/auth-core';
import { assertNamespace } from '@connexease-kit/auth-core/store';

// Redis-specific checks. The contract's own argument checks (leases, records, quota requests, blocks,
// durations) come from auth-core's store-input assertions.

/** What a namespace or key prefix may contain: no braces (the hash tag), no spaces or control characters. */
const SAFE_SEGMENT = /^[A-Za-z0-9_.:\-+=/]+$/;
const MAX_NAMESPACE_LENGTH = 256;

/** The codes a block may carry (auth-core's `BlockCode`). */
export const BLOCK_CODES: ReadonlySet<string> = new Set<BlockCode>([
  'INVALID_CREDENTIALS',
  'AGENT_BANNED',
  'ACCOUNT_INACTIVE',
]);

export function invalid(message: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError('CONFIG_INVALID', `Redis token store: ${message}`);
}

/** A namespace that fits inside a key's hash tag: auth-core's check plus a length and character limit. */
export function assertKeyNamespace(ns: unknown): asserts ns is string {
  assertNamespace(ns);
  if (ns.length > MAX_NAMESPACE_LENGTH || !SAFE_SEGMENT.test(ns)) {
    throw invalid(
      `the namespace must be 1-${MAX_NAMESPACE_LENGTH} characters of letters, digits and _ . : - + = / (no braces or spaces)`,
    );
  }
}

export function assertKeyPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string' || prefix.length === 0 || prefix.length > 64 || !SAFE_SEGMENT.test(prefix)) {
    throw invalid(
      'keyPrefix must be 1-64 characters of letters, digits and _ . : - + = / (no braces or spaces)',
    );
  }
}
