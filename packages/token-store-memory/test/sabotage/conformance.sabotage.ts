import { runTokenStoreConformance } from '@connexease-kit/token-store-conformance';
import { control, type Sabotage, sabotages } from './sabotaged-stores.ts';

for (const sabotage of [control, ...sabotages] as Sabotage[]) {
  runTokenStoreConformance({
    name: sabotage.name,
    createStore: () => sabotage.createStore(),
    capabilities: { clock: 'local', notifications: true, pollIntervalMs: 60_000 },
    inspectTtls: sabotage.inspectTtls ?? ((ns, store) => store.inspectTtls(ns)),
    loseRecords: sabotage.loseRecords ?? ((ns, store, what) => store.debugLoseRecords(ns, what)),
  });
}
