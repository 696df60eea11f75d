import type { BlockRecord } from '@connexease-kit/auth-core/store';
import { formatRelative, isoTime } from './format.ts';

/**
 * One line about a block for people: `AGENT_BANNED (403) "This agent has been banned!", written 2h 5m ago
 * (2025-06-01T10:05:00.000Z), until unblocked`.
 */
export function describeBlock(block: BlockRecord, now: number): string {
  const until =
    block.until === undefined
      ? 'until unblocked'
      : `until ${formatRelative(block.until, now)} (${isoTime(block.until)})`;
  return (
    `${block.code} (${block.status}) "${block.reason}", ` +
    `written ${formatRelative(block.createdAt, now)} (${isoTime(block.createdAt)}), ${until}`
  );
}

/** Whether the block still has an effect at `now` (a 401 block lapses at its `until`). */
export function isBlockActive(block: BlockRecord, now: number): boolean {
  return block.until === undefined || now < block.until;
}
