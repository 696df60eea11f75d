import type { BlockRecord, Lease, QuotaRequest, TokenRecord } from '@connexease-kit/auth-core';
import { invalidArgument } from './errors.ts';

// Argument checks: bad input is a CONFIG_INVALID error naming the field, and nothing is written.
// Messages never echo values (a token value must not reach a log).

export function validateTtl(operation: string, ttlMs: number): void {
  if (typeof ttlMs !== 'number' || !Number.isFinite(ttlMs) || ttlMs <= 0) {
    throw invalidArgument(`${operation}: ttlMs must be a positive number of milliseconds.`);
  }
}

export function validateWindow(operation: string, windowMs: number): void {
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs <= 0) {
    throw invalidArgument(`${operation}: windowMs must be a positive number of milliseconds.`);
  }
}

export function validateLease(lease: Lease): void {
  if (
    typeof lease !== 'object' ||
    lease === null ||
    typeof lease.id !== 'string' ||
    lease.id === '' ||
    !Number.isSafeInteger(lease.fence)
  ) {
    throw invalidArgument('TokenStore: lease must be a lease returned by acquireLease or extendLease.');
  }
}

export function validateTokenRecord(record: TokenRecord): void {
  const valid =
    typeof record === 'object' &&
    record !== null &&
    typeof record.value === 'string' &&
    record.value !== '' &&
    Number.isFinite(record.expiresAt) &&
    Number.isFinite(record.issuedAt) &&
    Number.isSafeInteger(record.fence);
  if (!valid) {
    throw invalidArgument(
      'writeToken: record needs a non-empty value, finite expiresAt and issuedAt, and an integer fence.',
    );
  }
}

export function validateQuotaRequest(request: QuotaRequest): void {
  if (
    typeof request !== 'object' ||
    request === null ||
    typeof request.id !== 'string' ||
    request.id === ''
  ) {
    throw invalidArgument('reserveIssue: id must be a non-empty string.');
  }
  if (!Number.isSafeInteger(request.limit) || request.limit < 1) {
    throw invalidArgument('reserveIssue: limit must be a positive integer.');
  }
  validateWindow('reserveIssue', request.windowMs);
}

const BLOCK_CODES = new Set(['INVALID_CREDENTIALS', 'AGENT_BANNED', 'ACCOUNT_INACTIVE']);

export function validateBlock(block: BlockRecord): void {
  const valid =
    typeof block === 'object' &&
    block !== null &&
    BLOCK_CODES.has(block.code) &&
    Number.isInteger(block.status) &&
    typeof block.reason === 'string' &&
    Number.isFinite(block.createdAt) &&
    (block.until === undefined || Number.isFinite(block.until)) &&
    (block.fingerprint === undefined || typeof block.fingerprint === 'string');
  if (!valid) {
    throw invalidArgument(
      'writeBlock: block needs a block code, an integer status, a reason and a createdAt time.',
    );
  }
}
