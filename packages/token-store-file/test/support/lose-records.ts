import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { FileTokenStore } from '../../src/index.ts';

/**
 * Makes the store lose `ns`'s records as a host can: the file deleted (`'everything'`), or only its
 * reservations edited away, keeping the quota marker (`'quota'`), as a careless hand edit would.
 */
export function loseRecords(ns: string, store: FileTokenStore, what: 'everything' | 'quota'): void {
  const path = store.filePath(ns);
  if (what === 'everything') {
    rmSync(path, { force: true });
    return;
  }
  const state = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  writeFileSync(path, `${JSON.stringify({ ...state, reservations: [] }, null, 2)}\n`, { mode: 0o600 });
}
