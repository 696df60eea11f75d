import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTokenStoreConformance } from '@connexease-kit/token-store-conformance';
import { afterAll } from 'vitest';
import { createFileTokenStore } from '../src/index.ts';
import { loseRecords } from './support/lose-records.ts';

// One directory per factory: every instance the suite makes shares it, as processes on one host would.
const watched = mkdtempSync(join(tmpdir(), 'cxk-file-conformance-watch-'));
const polled = mkdtempSync(join(tmpdir(), 'cxk-file-conformance-poll-'));
afterAll(() => {
  rmSync(watched, { recursive: true, force: true });
  rmSync(polled, { recursive: true, force: true });
});

runTokenStoreConformance({
  name: 'file (fs.watch wake-ups)',
  // A long poll: only fs.watch and same-instance notifications can wake waiters within the suite's limits.
  createStore: () => createFileTokenStore({ directory: watched, pollIntervalMs: 60_000 }),
  capabilities: { clock: 'local', notifications: true, pollIntervalMs: 60_000, multiProcess: true },
  inspectTtls: (ns, store) => store.inspectTtls(ns),
  loseRecords,
});

runTokenStoreConformance({
  name: 'file (polling only)',
  createStore: () => createFileTokenStore({ directory: polled, pollIntervalMs: 100, watch: false }),
  capabilities: { clock: 'local', notifications: false, pollIntervalMs: 100, multiProcess: true },
  inspectTtls: (ns, store) => store.inspectTtls(ns),
  loseRecords,
});
