import { type BlockRecord, copyBlockRecord } from '@connexease-kit/auth-core/store';
import type { Transition } from './lease-rules.ts';
import type { NamespaceState } from './state.ts';

/**
 * The safety TTL of a block written without `ttlMs` ("until `clearBlock`"). If nobody calls
 * `unblock()` for 30 days, one attempt meets the ban again and writes a new block.
 */
export const BLOCK_SAFETY_TTL_MS: number = 30 * 24 * 60 * 60 * 1000;

export function writeBlock(
  state: NamespaceState,
  block: BlockRecord,
  ttlMs: number | undefined,
  now: number,
): Transition<void> {
  return {
    state: {
      ...state,
      block: { block: copyBlockRecord(block), expiresAt: now + (ttlMs ?? BLOCK_SAFETY_TTL_MS) },
    },
    result: undefined,
  };
}

export function clearBlock(state: NamespaceState): Transition<void> {
  if (state.block === null) return { state, result: undefined };
  return { state: { ...state, block: null }, result: undefined };
}

/** A copy of the stored block with exactly the contract's fields. */
export function copyBlock(state: NamespaceState): BlockRecord | null {
  if (state.block === null) return null;
  return copyBlockRecord(state.block.block);
}
