import { runTokenStoreConformance } from '@connexease-kit/token-store-conformance';
import { createMemoryTokenStore } from '../src/index.ts';

runTokenStoreConformance({
  name: 'memory',
  // A long poll: only notifications can wake a waiter within the suite's 10 s wake-up timeout.
  createStore: () => createMemoryTokenStore({ pollIntervalMs: 60_000 }),
  capabilities: { clock: 'local', notifications: true, pollIntervalMs: 60_000, multiProcess: false },
  inspectTtls: (ns, store) => store.inspectTtls(ns),
  loseRecords: (ns, store, what) => store.debugLoseRecords(ns, what),
});
