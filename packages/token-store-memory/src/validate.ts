import {
  type BlockRecord,
  ConnexeaseAuthError,
  type Lease,
  type TokenRecord,
} from '@connexease-kit/auth-core';

function invalid(message: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError('CONFIG_INVALID', `Memory token store: ${message}`);
}

export function assertNamespace(ns: unknown): asserts ns is string {
  if (typeof ns !== 'string' || ns.length === 0) throw invalid('the namespace must be a non-empty string');
}

export function assertPositiveMs(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalid(`${name} must be a positive, finite number of milliseconds`);
  }
}

export function assertPositiveInteger(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw invalid(`${name} must be a positive integer`);
  }
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function assertLease(lease: unknown): asserts lease is Lease {
  const candidate = lease as Partial<Lease> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.id !== 'string' ||
    !isFiniteNumber(candidate.fence)
  ) {
    throw invalid('the lease must be an object with a string id and a numeric fence');
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

export function assertBlockRecord(block: unknown): asserts block is BlockRecord {
  const candidate = block as Partial<BlockRecord> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.code !== 'string' ||
    !isFiniteNumber(candidate.status) ||
    typeof candidate.reason !== 'string' ||
    !isFiniteNumber(candidate.createdAt) ||
    (candidate.until !== undefined && !isFiniteNumber(candidate.until)) ||
    (candidate.fingerprint !== undefined && typeof candidate.fingerprint !== 'string')
  ) {
    throw invalid('the block record needs a code, a numeric status, a reason and a numeric createdAt');
  }
}

export function assertNonNegativeMs(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw invalid(`${name} must be a non-negative number of milliseconds`);
  }
}
