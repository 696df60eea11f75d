import { copyTokenRecord, type Lease, type TokenRecord } from '@connexease-kit/auth-core/store';
import { ownsLease, type Transition } from './lease-rules.ts';
import type { NamespaceState } from './state.ts';

/**
 * Stores the token if `lease` is live, owned and carries the newest fence. A record that is already
 * expired is not stored (it would be purged at once), and the answer is `false`.
 */
export function writeToken(
  state: NamespaceState,
  lease: Lease,
  record: TokenRecord,
  now: number,
): Transition<boolean> {
  const newestFence = state.fence?.value ?? 0;
  if (!ownsLease(state, lease) || lease.fence !== newestFence || record.expiresAt <= now) {
    return { state, result: false };
  }
  return { state: { ...state, token: copyTokenRecord(record) }, result: true };
}

/** Compare-and-delete: removes the token only while `value` is still the current one. */
export function discardToken(state: NamespaceState, value: string): Transition<boolean> {
  if (state.token === null || state.token.value !== value) return { state, result: false };
  return { state: { ...state, token: null }, result: true };
}

/** A copy with exactly the contract's fields (the file may hold more in a future version). */
export function copyToken(record: TokenRecord | null): TokenRecord | null {
  return record === null ? null : copyTokenRecord(record);
}
