import { randomUUID } from 'node:crypto';
import type { Lease } from '@connexease-kit/auth-core/store';
import type { NamespaceState } from './state.ts';

/**
 * How long the fence counter outlives the last lease. Longer than any token, lease or quota window,
 * so no holder that could still act ever sees the counter restart; after that the file may go.
 */
export const FENCE_RETENTION_MS: number = 30 * 24 * 60 * 60 * 1000;

/** A pure state transition: the next state (same object when nothing changed) and the answer. */
export interface Transition<T> {
  state: NamespaceState;
  result: T;
}

/** Grants the lease if nobody holds a live one; the fence is one more than any fence granted before. */
export function acquireLease(state: NamespaceState, ttlMs: number, now: number): Transition<Lease | null> {
  if (state.lease !== null) return { state, result: null };
  const fence = (state.fence?.value ?? 0) + 1;
  const lease: Lease = { id: randomUUID(), fence, expiresAt: now + ttlMs };
  return { state: { ...state, lease, fence: fenceRecord(fence, lease, now) }, result: lease };
}

/** Extends the lease for its owner (same id and fence) only. */
export function extendLease(
  state: NamespaceState,
  lease: Lease,
  ttlMs: number,
  now: number,
): Transition<Lease | null> {
  if (!ownsLease(state, lease)) return { state, result: null };
  const extended: Lease = { id: lease.id, fence: lease.fence, expiresAt: now + ttlMs };
  return {
    state: { ...state, lease: extended, fence: fenceRecord(lease.fence, extended, now) },
    result: extended,
  };
}

/** Releases the lease for its owner only. The fence stays. */
export function releaseLease(state: NamespaceState, lease: Lease): Transition<boolean> {
  if (!ownsLease(state, lease)) return { state, result: false };
  return { state: { ...state, lease: null }, result: true };
}

/** A copy of the live lease with exactly the contract's fields. */
export function copyLease(state: NamespaceState): Lease | null {
  const { lease } = state;
  return lease === null ? null : { id: lease.id, fence: lease.fence, expiresAt: lease.expiresAt };
}

/** Whether `lease` is the live lease of `state` (expired leases were purged before this is asked). */
export function ownsLease(state: NamespaceState, lease: Lease): boolean {
  return state.lease !== null && state.lease.id === lease.id && state.lease.fence === lease.fence;
}

function fenceRecord(value: number, lease: Lease, now: number): { value: number; expiresAt: number } {
  return { value, expiresAt: Math.max(now + FENCE_RETENTION_MS, lease.expiresAt + FENCE_RETENTION_MS) };
}
