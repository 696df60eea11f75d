import type { BlockCode } from '@connexease-kit/auth-core';
import {
  type BlockRecord,
  isUnauthorizedRefresh,
  type Lease,
  type QuotaMarker,
  type TokenRecord,
} from '@connexease-kit/auth-core/store';

/** Marks our files, so a foreign JSON file in the directory is recognised as such. */
export const FILE_FORMAT = 'connexease-kit/token-store-file';
/** Bumped only on an incompatible change; a newer file is never overwritten by an older store. */
export const FILE_VERSION = 1;

/** One quota reservation. It expires when it leaves the window it was reserved in. */
export interface StoredReservation {
  id: string;
  at: number;
  expiresAt: number;
}

/** The fencing counter; kept long after the last lease so fences never go down. */
export interface StoredFence {
  value: number;
  expiresAt: number;
}

export interface StoredBlock {
  block: BlockRecord;
  expiresAt: number;
}

/**
 * Written by earlier versions when the file was found corrupt (now a {@link QuotaMarker} does it): the
 * reservations it held are lost, so the quota counts as spent until a full window has passed since
 * `since`. Still read, never written.
 */
export interface QuotaUnknown {
  since: number;
  reason: string;
  expiresAt: number;
}

/**
 * Everything one namespace keeps. Every record has its own expiry (the token its `expiresAt`), so
 * "no key without a TTL" holds per record; the file is deleted once no record is left.
 */
export interface NamespaceState {
  fence: StoredFence | null;
  token: TokenRecord | null;
  lease: Lease | null;
  reservations: StoredReservation[];
  block: StoredBlock | null;
  quotaUnknown: QuotaUnknown | null;
  /** Vouches for the reservations: the epoch and the newest entry (auth-core's quota record). */
  quotaMarker: QuotaMarker | null;
}

/** The outcome of reading a state file. */
export type DecodedState =
  | { kind: 'ok'; state: NamespaceState }
  | { kind: 'corrupt'; reason: string }
  | { kind: 'newer'; version: number };

export function emptyState(): NamespaceState {
  return {
    fence: null,
    token: null,
    lease: null,
    reservations: [],
    block: null,
    quotaUnknown: null,
    quotaMarker: null,
  };
}

export function isEmptyState(state: NamespaceState): boolean {
  return (
    state.fence === null &&
    state.token === null &&
    state.lease === null &&
    state.reservations.length === 0 &&
    state.block === null &&
    state.quotaUnknown === null &&
    state.quotaMarker === null
  );
}

/** Drops every record whose expiry is at or before `now`. Returns a new object; the input is untouched. */
export function withoutExpired(state: NamespaceState, now: number): NamespaceState {
  const live = <T extends { expiresAt: number }>(record: T | null): T | null =>
    record !== null && record.expiresAt > now ? record : null;
  return {
    fence: live(state.fence),
    token: live(state.token),
    lease: live(state.lease),
    reservations: state.reservations.filter((reservation) => reservation.expiresAt > now),
    block: live(state.block),
    quotaUnknown: live(state.quotaUnknown),
    quotaMarker: live(state.quotaMarker),
  };
}

/** Serialises deterministically (same state, same text), so "did anything change" is a string compare. */
export function encodeState(state: NamespaceState): string {
  return `${JSON.stringify({ format: FILE_FORMAT, version: FILE_VERSION, ...state }, null, 2)}\n`;
}

/** Parses and validates a state file. Anything unexpected is `corrupt` with a reason fit for a log line. */
export function decodeState(text: string): DecodedState {
  if (text.trim() === '') return { kind: 'corrupt', reason: 'the file is empty (truncated)' };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'corrupt', reason: 'the file is not valid JSON (truncated or overwritten)' };
  }
  if (!isObject(parsed) || parsed.format !== FILE_FORMAT) {
    return { kind: 'corrupt', reason: `the file is not a ${FILE_FORMAT} file` };
  }
  if (
    typeof parsed.version === 'number' &&
    Number.isInteger(parsed.version) &&
    parsed.version > FILE_VERSION
  ) {
    return { kind: 'newer', version: parsed.version };
  }
  if (parsed.version !== FILE_VERSION) return { kind: 'corrupt', reason: 'the file has no valid version' };
  const invalid = (field: string): DecodedState => ({
    kind: 'corrupt',
    reason: `the ${field} record is invalid`,
  });

  const fence = parsed.fence ?? null;
  if (fence !== null && !isFence(fence)) return invalid('fence');
  const token = parsed.token ?? null;
  if (token !== null && !isTokenRecord(token)) return invalid('token');
  const lease = parsed.lease ?? null;
  if (lease !== null && !isLease(lease)) return invalid('lease');
  const reservations = parsed.reservations ?? [];
  if (!Array.isArray(reservations) || !reservations.every(isReservation)) return invalid('reservations');
  const block = parsed.block ?? null;
  if (block !== null && !isStoredBlock(block)) return invalid('block');
  const quotaUnknown = parsed.quotaUnknown ?? null;
  if (quotaUnknown !== null && !isQuotaUnknown(quotaUnknown)) return invalid('quotaUnknown');
  const quotaMarker = parsed.quotaMarker ?? null;
  if (quotaMarker !== null && !isQuotaMarker(quotaMarker)) return invalid('quotaMarker');
  return { kind: 'ok', state: { fence, token, lease, reservations, block, quotaUnknown, quotaMarker } };
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTime(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function isFence(value: unknown): value is StoredFence {
  return isObject(value) && Number.isSafeInteger(value.value) && isTime(value.expiresAt);
}

function isTokenRecord(value: unknown): value is TokenRecord {
  return (
    isObject(value) &&
    isText(value.value) &&
    isTime(value.expiresAt) &&
    isTime(value.issuedAt) &&
    Number.isSafeInteger(value.fence) &&
    (value.unauthorizedRefresh === undefined || isUnauthorizedRefresh(value.unauthorizedRefresh))
  );
}

function isLease(value: unknown): value is Lease {
  return isObject(value) && isText(value.id) && Number.isSafeInteger(value.fence) && isTime(value.expiresAt);
}

function isReservation(value: unknown): value is StoredReservation {
  return isObject(value) && isText(value.id) && isTime(value.at) && isTime(value.expiresAt);
}

const BLOCK_CODES: ReadonlySet<string> = new Set<BlockCode>([
  'INVALID_CREDENTIALS',
  'AGENT_BANNED',
  'ACCOUNT_INACTIVE',
]);

function isStoredBlock(value: unknown): value is StoredBlock {
  if (!isObject(value) || !isTime(value.expiresAt) || !isObject(value.block)) return false;
  const block = value.block;
  return (
    typeof block.code === 'string' &&
    BLOCK_CODES.has(block.code) &&
    Number.isInteger(block.status) &&
    typeof block.reason === 'string' &&
    isTime(block.createdAt) &&
    (block.until === undefined || isTime(block.until)) &&
    (block.fingerprint === undefined || typeof block.fingerprint === 'string')
  );
}

function isQuotaUnknown(value: unknown): value is QuotaUnknown {
  return (
    isObject(value) && isTime(value.since) && typeof value.reason === 'string' && isTime(value.expiresAt)
  );
}

function isQuotaMarker(value: unknown): value is QuotaMarker {
  return (
    isObject(value) &&
    isText(value.epoch) &&
    (value.lastId === null || isText(value.lastId)) &&
    isTime(value.lastAt) &&
    isTime(value.lastExpiresAt) &&
    isTime(value.expiresAt)
  );
}
