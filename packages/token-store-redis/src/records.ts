import type { BlockCode } from '@connexease-kit/auth-core';
import {
  type BlockRecord,
  copyBlockRecord,
  isUnauthorizedRefresh,
  MAX_KNOWN_QUOTA_ENTRIES,
  type QuotaEntry,
  type QuotaRecordState,
  type QuotaUsage,
  type TokenRecord,
} from '@connexease-kit/auth-core/store';
import { BLOCK_CODES } from './validate.ts';

/**
 * The stored shape of a token: short keys, because it is read on every refresh of every replica. `u` is
 * `unauthorizedRefresh` as `[at, intervalMs]`, only when present (older versions ignore it).
 */
interface StoredToken {
  v: string;
  e: number;
  i: number;
  f: number;
  u?: [number, number];
}

export function encodeToken(record: TokenRecord): string {
  const stored: StoredToken = { v: record.value, e: record.expiresAt, i: record.issuedAt, f: record.fence };
  const spacing = record.unauthorizedRefresh;
  if (spacing !== undefined) stored.u = [spacing.at, spacing.intervalMs];
  return JSON.stringify(stored);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function parseObject(raw: string): Record<string, unknown> | null {
  try {
    const parsed: unknown = JSON.parse(raw);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Decodes a stored token; a value that is not ours (corrupt, foreign) reads as no token, so the
 * fleet heals by issuing and overwriting it instead of failing until the key expires.
 */
export function decodeToken(raw: string | null): TokenRecord | null {
  if (raw === null) return null;
  const stored = parseObject(raw);
  if (stored === null) return null;
  const { v, e, i, f, u } = stored;
  if (
    typeof v !== 'string' ||
    v.length === 0 ||
    !isFiniteNumber(e) ||
    !isFiniteNumber(i) ||
    !isFiniteNumber(f)
  ) {
    return null;
  }
  const record: TokenRecord = { value: v, expiresAt: e, issuedAt: i, fence: f };
  // A malformed `u` only loses the spacing, never the token.
  if (Array.isArray(u)) {
    const spacing = { at: u[0], intervalMs: u[1] };
    if (isUnauthorizedRefresh(spacing)) record.unauthorizedRefresh = spacing;
  }
  return record;
}

export function encodeBlock(block: BlockRecord): string {
  return JSON.stringify(copyBlockRecord(block));
}

/** Decodes a stored block; an unreadable one reads as no block (it would otherwise stop the fleet). */
export function decodeBlock(raw: string | null): BlockRecord | null {
  if (raw === null) return null;
  const stored = parseObject(raw);
  if (stored === null) return null;
  const { code, status, reason, createdAt, until, fingerprint } = stored;
  if (
    typeof code !== 'string' ||
    !BLOCK_CODES.has(code) ||
    !isFiniteNumber(status) ||
    typeof reason !== 'string' ||
    !isFiniteNumber(createdAt) ||
    (until !== undefined && !isFiniteNumber(until)) ||
    (fingerprint !== undefined && typeof fingerprint !== 'string')
  ) {
    return null;
  }
  const block: BlockRecord = { code: code as BlockCode, status, reason, createdAt };
  if (until !== undefined) block.until = until;
  if (fingerprint !== undefined) block.fingerprint = fingerprint;
  return block;
}

/** Remembered entries as the scripts take them: id, time pairs after the fixed arguments. */
export function encodeEntries(entries: readonly QuotaEntry[] | undefined): (string | number)[] {
  return (entries ?? []).flatMap((entry) => [entry.id, Math.floor(entry.at)]);
}

/**
 * The record state the quota scripts answer: the epoch (`''` for none), lostThrough (`-1` for none)
 * and the window's entries as id, time pairs, oldest first.
 */
export function decodeQuotaState(epoch: unknown, lost: unknown, pairs: readonly unknown[]): QuotaRecordState {
  const entries: QuotaEntry[] = [];
  for (let index = 0; index + 1 < pairs.length; index += 2) {
    entries.push({ id: String(pairs[index]), at: Number(pairs[index + 1]) });
  }
  const lostThrough = Number(lost);
  return {
    entries: entries.slice(-MAX_KNOWN_QUOTA_ENTRIES),
    epoch: typeof epoch === 'string' && epoch !== '' ? epoch : null,
    lostThrough: Number.isFinite(lostThrough) && lostThrough >= 0 ? lostThrough : null,
  };
}

/** `{now, epoch, lostThrough, ...entries}` from the usage and restore scripts. */
export function decodeQuotaUsage(reply: unknown): QuotaUsage {
  const [now, epoch, lost, ...pairs] = reply as unknown[];
  const state = decodeQuotaState(epoch, lost, pairs);
  // Every entry in the window counts, even beyond the 64 listed.
  const reservedAt: number[] = [];
  for (let index = 1; index < pairs.length; index += 2) reservedAt.push(Number(pairs[index]));
  return { used: reservedAt.length, reservedAt, now: Number(now), ...state };
}
