import {
  type BlockCode,
  type BlockRecord,
  ConnexeaseAuthError,
  type Lease,
  type QuotaRequest,
  type TokenRecord,
} from '@connexease-kit/auth-core';

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

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function assertNamespace(ns: unknown): asserts ns is string {
  if (
    typeof ns !== 'string' ||
    ns.length === 0 ||
    ns.length > MAX_NAMESPACE_LENGTH ||
    !SAFE_SEGMENT.test(ns)
  ) {
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

/** A positive whole number of milliseconds (Redis PX takes integers). */
export function assertPositiveMs(value: unknown, name: string): asserts value is number {
  if (!isFiniteNumber(value) || value <= 0 || !Number.isSafeInteger(Math.ceil(value))) {
    throw invalid(`${name} must be a positive, finite number of milliseconds`);
  }
}

export function assertNonNegativeMs(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw invalid(`${name} must be a non-negative number of milliseconds`);
  }
}

export function assertLease(lease: unknown): asserts lease is Lease {
  const candidate = lease as Partial<Lease> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.id !== 'string' ||
    candidate.id.length === 0 ||
    !isFiniteNumber(candidate.fence)
  ) {
    throw invalid('the lease must be an object with a non-empty string id and a numeric fence');
  }
}

export function assertTokenRecord(record: unknown): asserts record is TokenRecord {
  const candidate = record as Partial<TokenRecord> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.value !== 'string' ||
    candidate.value.length === 0 ||
    !isFiniteNumber(candidate.expiresAt) ||
    !isFiniteNumber(candidate.issuedAt) ||
    !isFiniteNumber(candidate.fence)
  ) {
    // Never echo the record: it holds a token.
    throw invalid('the token record needs a non-empty value and finite expiresAt, issuedAt and fence');
  }
}

export function assertTokenValue(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid('discardToken needs the (non-empty) token value');
  }
}

export function assertQuotaRequest(request: unknown): asserts request is QuotaRequest {
  const candidate = request as Partial<QuotaRequest> | null;
  if (typeof candidate !== 'object' || candidate === null)
    throw invalid('reserveIssue needs a request object');
  if (typeof candidate.id !== 'string' || candidate.id.length === 0 || candidate.id.length > 256) {
    throw invalid('the reservation id must be a non-empty string of at most 256 characters');
  }
  if (!Number.isSafeInteger(candidate.limit) || (candidate.limit as number) <= 0) {
    throw invalid('reserveIssue limit must be a positive integer');
  }
  assertPositiveMs(candidate.windowMs, 'reserveIssue windowMs');
}

export function assertBlockRecord(block: unknown): asserts block is BlockRecord {
  const candidate = block as Partial<BlockRecord> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.code !== 'string' ||
    !BLOCK_CODES.has(candidate.code) ||
    !isFiniteNumber(candidate.status) ||
    typeof candidate.reason !== 'string' ||
    !isFiniteNumber(candidate.createdAt) ||
    (candidate.until !== undefined && !isFiniteNumber(candidate.until)) ||
    (candidate.fingerprint !== undefined && typeof candidate.fingerprint !== 'string')
  ) {
    throw invalid(
      'the block record needs a BlockCode code, a numeric status, a string reason and a numeric createdAt',
    );
  }
}
