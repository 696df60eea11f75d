import type { BlockCode } from '@connexease-kit/auth-core';
import { type BlockRecord, copyBlockRecord, type TokenRecord } from '@connexease-kit/auth-core/store';

const BLOCK_CODES: ReadonlySet<string> = new Set<BlockCode>([
  'INVALID_CREDENTIALS',
  'AGENT_BANNED',
  'ACCOUNT_INACTIVE',
]);

/** A `bigint` or `double precision` column as a number (node-postgres returns `bigint` as a string). */
export function toNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

/** The fleet's last 401-driven refresh, carried by a token record when the provider set it. */
export interface UnauthorizedRefreshFields {
  at: number;
  intervalMs: number;
}

/** `record.unauthorizedRefresh` when present and well-formed (the field is optional in the contract). */
export function unauthorizedRefreshOf(record: TokenRecord): UnauthorizedRefreshFields | undefined {
  const field = (record as { unauthorizedRefresh?: unknown }).unauthorizedRefresh;
  if (typeof field !== 'object' || field === null) return undefined;
  const { at, intervalMs } = field as Record<string, unknown>;
  return isFiniteNumber(at) && isFiniteNumber(intervalMs) ? { at, intervalMs } : undefined;
}

/** A `readToken` row as a record; a row without a token (the LEFT JOIN found none) is `null`. */
export function tokenFromRow(row: Record<string, unknown> | undefined): TokenRecord | null {
  if (row === undefined || typeof row.value !== 'string' || row.value.length === 0) return null;
  const record: TokenRecord & { unauthorizedRefresh?: UnauthorizedRefreshFields } = {
    value: row.value,
    expiresAt: toNumber(row.expires_at),
    issuedAt: toNumber(row.issued_at),
    fence: toNumber(row.fence),
  };
  if (
    !isFiniteNumber(record.expiresAt) ||
    !isFiniteNumber(record.issuedAt) ||
    !isFiniteNumber(record.fence)
  ) {
    return null;
  }
  if (row.unauthorized_at !== null && row.unauthorized_at !== undefined) {
    record.unauthorizedRefresh = {
      at: toNumber(row.unauthorized_at),
      intervalMs: toNumber(row.unauthorized_interval_ms),
    };
  }
  return record;
}

export function encodeBlock(block: BlockRecord): string {
  return JSON.stringify(copyBlockRecord(block));
}

/** Decodes a stored block; an unreadable one reads as no block (it would otherwise stop the fleet). */
export function decodeBlock(stored: unknown): BlockRecord | null {
  if (typeof stored !== 'object' || stored === null) return null;
  const { code, status, reason, createdAt, until, fingerprint } = stored as Record<string, unknown>;
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
