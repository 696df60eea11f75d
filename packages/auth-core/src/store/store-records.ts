import type { BlockRecord, TokenRecord, TokenStore } from './contract.ts';

// Small record helpers every `TokenStore` adapter needs, so that they all agree on the contract's
// meaning of "the same token" and on which fields a block carries.

const METHODS = [
  'readToken',
  'writeToken',
  'discardToken',
  'acquireLease',
  'extendLease',
  'releaseLease',
  'readLease',
  'reserveIssue',
  'quotaUsage',
  'restoreQuota',
  'clearQuotaLoss',
  'readBlock',
  'writeBlock',
  'clearBlock',
  'waitForToken',
  'close',
] as const satisfies readonly (keyof TokenStore)[];

// Compile-time guard: a method added to `TokenStore` but not listed above fails the type check.
const everyMethodListed: [Exclude<keyof TokenStore, (typeof METHODS)[number]>] extends [never]
  ? true
  : never = true;
void everyMethodListed;

/** Every method of the `TokenStore` contract, for wrappers, proxies and option checks. */
export const TOKEN_STORE_METHODS: readonly (keyof TokenStore)[] = METHODS;

/**
 * Whether two stored token records are the same token: equal value and fence, or both absent.
 * This is the comparison `waitForToken` makes against `known`.
 */
export function isSameTokenRecord(a: TokenRecord | null, b: TokenRecord | null): boolean {
  if (a === null || b === null) return a === b;
  return a.value === b.value && a.fence === b.fence;
}

/** A copy of `block` with exactly the contract's fields (optional ones only when present). */
export function copyBlockRecord(block: BlockRecord): BlockRecord {
  const copy: BlockRecord = {
    code: block.code,
    status: block.status,
    reason: block.reason,
    createdAt: block.createdAt,
  };
  if (block.until !== undefined) copy.until = block.until;
  if (block.fingerprint !== undefined) copy.fingerprint = block.fingerprint;
  return copy;
}

/**
 * A copy of `record` with exactly the contract's fields (`unauthorizedRefresh` only when present, and
 * copied), so a store never hands out an object the caller could change inside it.
 */
export function copyTokenRecord(record: TokenRecord): TokenRecord {
  const copy: TokenRecord = {
    value: record.value,
    expiresAt: record.expiresAt,
    issuedAt: record.issuedAt,
    fence: record.fence,
  };
  const spacing = record.unauthorizedRefresh;
  if (spacing !== undefined) copy.unauthorizedRefresh = { at: spacing.at, intervalMs: spacing.intervalMs };
  return copy;
}
