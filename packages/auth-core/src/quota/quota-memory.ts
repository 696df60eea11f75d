import type { QuotaEntry, QuotaRecordState } from '../store/contract.ts';
import { MAX_KNOWN_QUOTA_ENTRIES } from '../store/store-input.ts';

/** What a replica found when it compared the store's quota record with its own memory of it. */
export interface QuotaLoss {
  /** The epoch changed or vanished: the store lost its whole record since this replica last saw it. */
  epochChanged: boolean;
  /** Remembered entries (still inside the window) the store no longer holds. */
  missing: number;
  /** The store itself reports attempts it lost and nobody re-added (see `QuotaRecordState.lostThrough`). */
  lostThrough: number | null;
}

/**
 * Guarantee 10, this replica's half: the newest quota record it saw (the window's entries and the
 * record's epoch), sent back with every reservation and compared with every answer, so that a store
 * which lost the record gets back every attempt a live replica knows of.
 */
export class QuotaMemory {
  #epoch: string | null = null;
  #entries: QuotaEntry[] = [];
  /**
   * Until when (local clock) this replica does not decide on the quota after it found a loss: the
   * other live replicas need a store check to put back what they remember.
   */
  unsettledUntil: number = Number.NEGATIVE_INFINITY;

  /** The epoch last seen, or `null` before any answer named one. */
  get epoch(): string | null {
    return this.#epoch;
  }

  /** The remembered entries still inside `windowMs` before `storeNow` (newest 64), to send to the store. */
  known(storeNow: number, windowMs: number): QuotaEntry[] {
    return this.#entries
      .filter((entry) => entry.at > storeNow - windowMs)
      .slice(-MAX_KNOWN_QUOTA_ENTRIES)
      .map((entry) => ({ ...entry }));
  }

  /**
   * Compares an answer with the memory. `null` when the answer continues what this replica saw; else
   * what was lost. Answers of a store that predates the fields (no `entries` array) prove nothing.
   */
  lossIn(state: Partial<QuotaRecordState>, storeNow: number, windowMs: number): QuotaLoss | null {
    if (!Array.isArray(state.entries)) return null;
    const known = this.known(storeNow, windowMs);
    // A new epoch after every remembered attempt aged out lost nothing that still counts (the marker
    // itself expires after a long idle time).
    const epoch = state.epoch ?? null;
    const epochChanged = this.#epoch !== null && epoch !== this.#epoch && known.length > 0;
    const held = new Set(state.entries.map((entry) => entry.id));
    const missing = known.filter((entry) => !held.has(entry.id)).length;
    const lost = state.lostThrough ?? null;
    const lostThrough = lost !== null && lost > storeNow - windowMs ? lost : null;
    if (!epochChanged && missing === 0 && lostThrough === null) return null;
    return { epochChanged, missing, lostThrough };
  }

  /**
   * Takes the answer as the newest record. Call it only with an answer that holds everything
   * remembered (no loss, or the answer of the call that re-added the remembered entries).
   */
  remember(state: Partial<QuotaRecordState>): void {
    if (!Array.isArray(state.entries)) return;
    const merged = new Map(this.#entries.map((entry) => [entry.id, entry]));
    for (const entry of state.entries) merged.set(entry.id, { id: entry.id, at: entry.at });
    // Kept sorted and bounded: entries older than any window age out of `known` anyway.
    this.#entries = [...merged.values()].sort((a, b) => a.at - b.at).slice(-MAX_KNOWN_QUOTA_ENTRIES);
    // After a loss nobody could restore (nothing remembered is left in any window) the store may still
    // have no record: remembering `null` then stops reporting the same loss again.
    this.#epoch = state.epoch ?? null;
  }
}
