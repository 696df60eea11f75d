import type { MockServerOptions } from '@connexease-kit/mock-server';
import type { PrivatePostgres } from '@connexease-kit/test-servers';
import {
  postgresQuery,
  requireSharedPostgres,
  SHARED_DATABASE_URL,
  startPrivatePostgres,
} from '@connexease-kit/test-servers';
import { extendEnvironment, useMockAndFleets } from './environment.ts';
import { type FleetStore, type StoredRecord, type StoreEnvironment, started } from './fleet-store.ts';
import { expectTidyRows, migrateSchema, namespaceRows, randomSchema } from './stored-rows.ts';

async function postgresRecords(
  namespace: string,
  schema: string,
  secrets: readonly string[],
  url: string,
): Promise<StoredRecord[]> {
  const rows = await expectTidyRows(namespace, schema, secrets, url);
  return rows.map(({ table, contents }) => ({ name: table, contents }));
}

/** The shared PostgreSQL, in a schema of the test file alone: migrated before any replica starts, dropped after the last test. */
export function useSharedSchema(mockOptions?: MockServerOptions): StoreEnvironment & { schema: string } {
  const schema = randomSchema();
  const env = useMockAndFleets(
    {
      async before() {
        await requireSharedPostgres();
        await migrateSchema(SHARED_DATABASE_URL, schema);
      },
      async after() {
        await postgresQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
      },
    },
    mockOptions,
  );
  return extendEnvironment(env, {
    schema,
    replicaStore: { postgres: SHARED_DATABASE_URL, schema },
    expectTidy: (namespace, secrets) => postgresRecords(namespace, schema, secrets, SHARED_DATABASE_URL),
  });
}

export const postgresStore: FleetStore = {
  name: 'PostgreSQL',
  coldStartRecords: ['quota', 'quota_markers', 'tokens'],
  tokenRecord: 'tokens',
  recordNames: (records) => [...new Set(records.map((record) => record.name))].sort(),
  useShared: useSharedSchema,
  usePrivate(mockOptions) {
    // initdb in a temporary directory, on a free port.
    let server: PrivatePostgres | undefined;
    const schema = randomSchema();
    const env = useMockAndFleets(
      {
        async before() {
          server = await startPrivatePostgres();
          await migrateSchema(server.url, schema);
        },
        async after() {
          await server?.destroy();
        },
      },
      mockOptions,
    );
    return extendEnvironment(env, {
      get replicaStore() {
        return { postgres: started(server).url, schema };
      },
      stop: () => started(server).stop('fast'),
      start: () => started(server).start(),
      expectTidy: (namespace, secrets) => postgresRecords(namespace, schema, secrets, started(server).url),
    });
  },
  useForgetful(mockOptions) {
    const env = useSharedSchema(mockOptions);
    const { schema } = env;
    return extendEnvironment(env, {
      replicaStore: env.replicaStore,
      expectTidy: env.expectTidy,
      // An operator's mistake, or a restore of an old dump without these tables.
      forgetting: 'the whole schema is dropped',
      // Longer than Redis's: the first calls after the drop re-create the schema.
      storeOptions: { commandTimeoutMs: 2000 },
      async forget() {
        await postgresQuery(`DROP SCHEMA ${schema} CASCADE`);
      },
      async held(namespace) {
        const rows = await namespaceRows(namespace, schema).catch(() => []);
        return {
          quotaEntries: rows.filter((row) => row.table === 'quota').length,
          token: rows.some((row) => row.table === 'tokens'),
        };
      },
    });
  },
};
