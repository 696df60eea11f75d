import { NOW_MS, type SqlNames } from './names.ts';

/** Bumped when the migration adds something; functions are versioned by name, never edited in place. */
export const SCHEMA_VERSION = 1;

/** What the meta row says installed the tables; a same-named table without it is not ours. */
export const KIT_MARKER = 'connexease-kit token store';

/** Largest bigint: the expiry of the quota table's marker row, which must outlive every entry. */
export const NEVER = '9223372036854775807';

/** The columns each table must have (name → `format_type`), checked before migrating over an existing table. */
export function expectedColumns(names: SqlNames): Record<string, Record<string, string>> {
  return {
    [names.meta]: {
      singleton: 'boolean',
      kit: 'text',
      schema_version: 'integer',
      quota_epoch: 'text',
      quota_lost_at: 'bigint',
      created_at: 'bigint',
    },
    [names.tokens]: {
      ns: 'text',
      value: 'text',
      issued_at: 'double precision',
      expires_at: 'double precision',
      fence: 'bigint',
      unauthorized_at: 'double precision',
      unauthorized_interval_ms: 'double precision',
    },
    [names.leases]: { ns: 'text', owner_id: 'text', fence: 'bigint', expires_at: 'bigint' },
    [names.quota]: { ns: 'text', id: 'text', reserved_at: 'bigint', expires_at: 'bigint' },
    [names.blocks]: { ns: 'text', record: 'jsonb', expires_at: 'bigint' },
  };
}

/**
 * The tables. Every row of a namespace carries `expires_at` (epoch ms on the database's clock): reads
 * ignore expired rows and the sweep deletes them. Times the database computes are `bigint`
 * milliseconds from `clock_timestamp()`; a token's times are the provider's (already on this clock) and
 * kept as given.
 */
export function tableStatements(names: SqlNames): string[] {
  const index = (table: string, suffix: string, columns: string): string =>
    `CREATE INDEX IF NOT EXISTS ${names.prefix}${suffix} ON ${table} (${columns})`;
  return [
    `DO $schema$ BEGIN
  IF to_regnamespace('${names.schema}') IS NULL THEN CREATE SCHEMA ${names.schema}; END IF;
END $schema$`,
    `CREATE TABLE IF NOT EXISTS ${names.meta} (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  kit text NOT NULL,
  schema_version integer NOT NULL,
  quota_epoch text NOT NULL,
  quota_lost_at bigint,
  created_at bigint NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${names.tokens} (
  ns text PRIMARY KEY,
  value text NOT NULL,
  issued_at double precision NOT NULL,
  expires_at double precision NOT NULL,
  fence bigint NOT NULL,
  unauthorized_at double precision,
  unauthorized_interval_ms double precision
)`,
    `CREATE TABLE IF NOT EXISTS ${names.leases} (
  ns text PRIMARY KEY,
  owner_id text NOT NULL,
  fence bigint NOT NULL,
  expires_at bigint NOT NULL
)`,
    `CREATE TABLE IF NOT EXISTS ${names.quota} (
  ns text NOT NULL,
  id text NOT NULL,
  reserved_at bigint NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (ns, id)
)`,
    `CREATE TABLE IF NOT EXISTS ${names.blocks} (
  ns text PRIMARY KEY,
  record jsonb NOT NULL,
  expires_at bigint NOT NULL
)`,
    `CREATE SEQUENCE IF NOT EXISTS ${names.fences} AS bigint`,
    index(names.quota, 'quota_window', 'ns, reserved_at'),
    index(names.tokens, 'tokens_expiry', 'expires_at'),
    index(names.leases, 'leases_expiry', 'expires_at'),
    index(names.quota, 'quota_expiry', 'expires_at'),
    index(names.blocks, 'blocks_expiry', 'expires_at'),
  ];
}

/**
 * The meta row and the quota table's marker row, written together on a fresh install only. The marker
 * (namespace `''`, id = the epoch) lets the store tell an intact quota table from one that was
 * truncated or dropped and re-created: see quota.ts. A quota table that holds entries but no meta row
 * is left alone, so that the loss is detected rather than papered over.
 */
export function metaStatements(names: SqlNames): string[] {
  return [
    `WITH created AS (
  INSERT INTO ${names.meta} (singleton, kit, schema_version, quota_epoch, created_at)
  SELECT true, '${KIT_MARKER}', ${SCHEMA_VERSION}, md5(random()::text || clock_timestamp()::text), ${NOW_MS}
  WHERE NOT EXISTS (SELECT 1 FROM ${names.quota})
  ON CONFLICT (singleton) DO NOTHING
  RETURNING quota_epoch, created_at
)
INSERT INTO ${names.quota} (ns, id, reserved_at, expires_at)
SELECT '', quota_epoch, created_at, ${NEVER} FROM created`,
    `UPDATE ${names.meta} SET schema_version = greatest(schema_version, ${SCHEMA_VERSION}) WHERE singleton`,
  ];
}
