import { runTokenStoreConformance } from '@connexease-kit/token-store-conformance';
import pg from 'pg';
import { createPostgresTokenStore, type PostgresTokenStore } from '../src/index.ts';
import { adminQuery, SHARED_DATABASE_URL, useRandomSchema } from './support/shared-postgres.ts';

const schema = useRandomSchema();

/** A long poll, so the wake-up tests prove that NOTIFY (not the poll) wakes the waiters. */
const capabilities = {
  clock: 'store',
  notifications: true,
  pollIntervalMs: 60_000,
  multiProcess: true,
} as const;

/** Deletes what a real database can lose: every row of `ns`, or only its quota entries (keeping the marker). */
function loseRecords(prefix: string) {
  return async (ns: string, _store: PostgresTokenStore, what: 'everything' | 'quota'): Promise<void> => {
    const tables = what === 'quota' ? ['quota'] : ['tokens', 'leases', 'quota', 'quota_markers', 'blocks'];
    for (const table of tables)
      await adminQuery(`DELETE FROM ${schema}.${prefix}${table} WHERE ns = $1`, [ns]);
  };
}

// Every store has its own pool (and its own LISTEN connection), as separate processes would.
const pools = new WeakMap<PostgresTokenStore, pg.Pool>();
runTokenStoreConformance<PostgresTokenStore>({
  name: 'postgres (caller-owned pg.Pool)',
  createStore: () => {
    const pool = new pg.Pool({ connectionString: SHARED_DATABASE_URL, max: 4 });
    pool.on('error', () => {});
    const store = createPostgresTokenStore({ pool, schema, pollIntervalMs: capabilities.pollIntervalMs });
    pools.set(store, pool);
    return store;
  },
  cleanup: async (store) => {
    await pools.get(store)?.end();
  },
  capabilities,
  inspectTtls: (ns, store) => store.inspectTtls(ns),
  loseRecords: loseRecords('connexease_'),
});

// A pool the store creates from the URL and ends itself, under another table prefix in the same schema.
runTokenStoreConformance<PostgresTokenStore>({
  name: 'postgres (store-owned pool from connectionString)',
  createStore: () =>
    createPostgresTokenStore({
      connectionString: SHARED_DATABASE_URL,
      schema,
      tablePrefix: 'owned_',
      pollIntervalMs: capabilities.pollIntervalMs,
    }),
  capabilities,
  inspectTtls: (ns, store) => store.inspectTtls(ns),
  loseRecords: loseRecords('owned_'),
});
