export type {
  PostgresPool,
  PostgresQueryResult,
  PostgresRecordKind,
  PostgresRecordTtl,
  PostgresTokenStore,
  PostgresTokenStoreCommonOptions,
  PostgresTokenStoreLogger,
  PostgresTokenStoreOptions,
  PostgresTokenStorePoolOptions,
  PostgresTokenStoreUrlOptions,
} from './options.ts';
export { createPostgresTokenStore } from './postgres-token-store.ts';
export { postgresMigrationSql } from './sql/migration-sql.ts';
