import { ConnexeaseAuthError } from '../errors.ts';
import { isBlockCode } from '../provider/block-gate.ts';
import type {
  BlockRecord,
  Lease,
  QuotaEntry,
  QuotaRequest,
  QuotaRestoreRequest,
  TokenRecord,
  UnauthorizedRefresh,
} from './contract.ts';

// Checks of the arguments a `TokenStore` receives, shared by every adapter so that they all reject the
// same input the same way. Messages name the field, never its value: a value can be a token.

/**
 * The most entries a quota request carries (`known`) or an answer lists (`entries`): the API allows 30
 * issues a day, so a window never legitimately holds more.
 */
export const MAX_KNOWN_QUOTA_ENTRIES: number = 64;

/** Longest reservation id a store must keep (the provider's ids are UUIDs). */
const MAX_RESERVATION_ID_LENGTH = 256;

function invalid(message: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError('CONFIG_INVALID', `TokenStore: ${message}`);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Checks a namespace argument: a non-empty string. Adapters with stricter key rules (length, allowed
 * characters) check those on top.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` otherwise.
 */
export function assertNamespace(ns: unknown): asserts ns is string {
  if (!isNonEmptyString(ns)) throw invalid('the namespace must be a non-empty string');
}

/**
 * Checks a lease argument (`writeToken`, `extendLease`, `releaseLease`): an object with a non-empty
 * string `id` and an integer `fence`, as `acquireLease` returns.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` otherwise.
 */
export function assertLease(lease: unknown): asserts lease is Lease {
  if (!isObject(lease) || !isNonEmptyString(lease.id) || !Number.isSafeInteger(lease.fence)) {
    throw invalid('the lease must be an object with a non-empty string id and an integer fence');
  }
}

/**
 * Checks a token record (`writeToken`, `waitForToken`'s `known`): a non-empty string `value`, finite
 * `expiresAt` and `issuedAt`, an integer `fence`, and a well-formed `unauthorizedRefresh` when present. The message never contains the record's value.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` otherwise.
 */
export function assertTokenRecord(record: unknown): asserts record is TokenRecord {
  if (
    !isObject(record) ||
    !isNonEmptyString(record.value) ||
    !isFiniteNumber(record.expiresAt) ||
    !isFiniteNumber(record.issuedAt) ||
    !Number.isSafeInteger(record.fence) ||
    (record.unauthorizedRefresh !== undefined && !isUnauthorizedRefresh(record.unauthorizedRefresh))
  ) {
    throw invalid(
      'the token record needs a non-empty value, finite expiresAt and issuedAt, an integer fence, and, ' +
        'when present, an unauthorizedRefresh with a finite at and a non-negative finite intervalMs',
    );
  }
}

/** Whether `value` is a well-formed {@link UnauthorizedRefresh} (stores use it to read one back). */
export function isUnauthorizedRefresh(value: unknown): value is UnauthorizedRefresh {
  return (
    isObject(value) && isFiniteNumber(value.at) && isFiniteNumber(value.intervalMs) && value.intervalMs >= 0
  );
}

/**
 * Checks the token value given to `discardToken`: a non-empty string. The message never contains it.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` otherwise.
 */
export function assertTokenValue(value: unknown): asserts value is string {
  if (!isNonEmptyString(value)) throw invalid('discardToken needs the (non-empty) token value');
}

/**
 * Checks a `reserveIssue` request: a non-empty `id` of at most 256 characters, a positive integer
 * `limit`, a positive `windowMs` (see {@link assertPositiveMs}), the caller's `lease` (see
 * {@link assertLease}) and, when present, `known` entries (see {@link assertQuotaEntries}).
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` naming the first bad field.
 */
export function assertQuotaRequest(request: unknown): asserts request is QuotaRequest {
  if (!isObject(request)) throw invalid('reserveIssue needs a request object');
  if (!isReservationId(request.id)) {
    throw invalid(
      `the reservation id must be a non-empty string of at most ${MAX_RESERVATION_ID_LENGTH} characters`,
    );
  }
  if (!Number.isSafeInteger(request.limit) || (request.limit as number) <= 0) {
    throw invalid('reserveIssue limit must be a positive integer');
  }
  assertPositiveMs(request.windowMs, 'reserveIssue windowMs');
  if (request.lease === undefined) {
    throw invalid("reserveIssue needs the caller's lease: only the current lease holder may reserve");
  }
  assertLease(request.lease);
  if (request.known !== undefined) assertQuotaEntries(request.known, 'reserveIssue known');
}

/**
 * Checks a `restoreQuota` request: a positive `windowMs` and `known` entries (see
 * {@link assertQuotaEntries}).
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` naming the first bad field.
 */
export function assertQuotaRestoreRequest(request: unknown): asserts request is QuotaRestoreRequest {
  if (!isObject(request)) throw invalid('restoreQuota needs a request object');
  assertPositiveMs(request.windowMs, 'restoreQuota windowMs');
  assertQuotaEntries(request.known, 'restoreQuota known');
}

/**
 * Checks remembered quota entries: an array of at most {@link MAX_KNOWN_QUOTA_ENTRIES} objects, each
 * with a reservation `id` (as `reserveIssue` takes) and a finite `at`.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` otherwise.
 */
export function assertQuotaEntries(entries: unknown, name: string): asserts entries is QuotaEntry[] {
  if (
    !Array.isArray(entries) ||
    entries.length > MAX_KNOWN_QUOTA_ENTRIES ||
    !entries.every((entry) => isObject(entry) && isReservationId(entry.id) && isFiniteNumber(entry.at))
  ) {
    throw invalid(
      `${name} must be an array of at most ${MAX_KNOWN_QUOTA_ENTRIES} entries, each with a reservation id and a finite time`,
    );
  }
}

function isReservationId(value: unknown): value is string {
  return isNonEmptyString(value) && value.length <= MAX_RESERVATION_ID_LENGTH;
}

/**
 * Checks a block record (`writeBlock`): a `BlockCode` `code`, an integer `status`, a string `reason`,
 * a finite `createdAt`, and, when present, a finite `until` and a string `fingerprint`.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` otherwise.
 */
export function assertBlockRecord(block: unknown): asserts block is BlockRecord {
  if (
    !isObject(block) ||
    typeof block.code !== 'string' ||
    !isBlockCode(block.code) ||
    !Number.isInteger(block.status) ||
    typeof block.reason !== 'string' ||
    !isFiniteNumber(block.createdAt) ||
    (block.until !== undefined && !isFiniteNumber(block.until)) ||
    (block.fingerprint !== undefined && typeof block.fingerprint !== 'string')
  ) {
    throw invalid(
      'the block record needs a BlockCode code, an integer status, a string reason and a finite createdAt',
    );
  }
}

/**
 * Checks a duration that must be positive (TTLs, windows, poll intervals): a finite number above 0
 * whose whole-millisecond ceiling is a safe integer, so it fits a backend that takes integer
 * milliseconds (Redis `PX`).
 *
 * @param name - How the message names the value, e.g. `'acquireLease ttlMs'`.
 * @throws ConnexeaseAuthError `CONFIG_INVALID` otherwise.
 */
export function assertPositiveMs(value: unknown, name: string): asserts value is number {
  if (!isFiniteNumber(value) || value <= 0 || !Number.isSafeInteger(Math.ceil(value))) {
    throw invalid(`${name} must be a positive, finite number of milliseconds`);
  }
}

/**
 * Checks a duration that may be 0 (`waitForToken`'s `timeoutMs`): a number, not `NaN`, at least 0.
 * `Infinity` is allowed and means "no time limit".
 *
 * @param name - How the message names the value, e.g. `'waitForToken timeoutMs'`.
 * @throws ConnexeaseAuthError `CONFIG_INVALID` otherwise.
 */
export function assertNonNegativeMs(value: unknown, name: string): asserts value is number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw invalid(`${name} must be a non-negative number of milliseconds`);
  }
}
