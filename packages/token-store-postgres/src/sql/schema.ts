import { NOW_MS, type SqlNames } from './names.ts';

/** Bumped when the migration adds something; functions are versioned by name, never edited in place. */
export const SCHEMA_VERSION = 1;

/** What the meta row says installed the tables; a same-named table without it is not ours. */
export const KIT_MARKER = 'connexease-kit token store';

/** The columns each table must have (name → `format_type`), checked before migrating over an existing table. */
export function expectedColumns(names: SqlNames): Record<string, Record<string, string>> {
  return {
    [names.meta]: {
      singleton: 'boolean',
      kit: 'text',
      schema_version: 'integer',
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
    [names.quotaMarkers]: {
      ns: 'text',
      epoch: 'text',
      last_id: 'text',
      last_at: 'bigint',
      last_kept_until: 'bigint',
      expires_at: 'bigint',
    },
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
    `CREATE TABLE IF NOT EXISTS ${names.quotaMarkers} (
  ns text PRIMARY KEY,
  epoch text NOT NULL,
  last_id text,
  last_at bigint,
  last_kept_until bigint,
  expires_at bigint NOT NULL
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
    index(names.quotaMarkers, 'quota_markers_expiry', 'expires_at'),
    index(names.blocks, 'blocks_expiry', 'expires_at'),
  ];
}

/** The meta row (written once), and the schema version it records. */
export function metaStatements(names: SqlNames): string[] {
  return [
    `INSERT INTO ${names.meta} (singleton, kit, schema_version, created_at)
VALUES (true, '${KIT_MARKER}', ${SCHEMA_VERSION}, ${NOW_MS})
ON CONFLICT (singleton) DO NOTHING`,
    `UPDATE ${names.meta} SET schema_version = greatest(schema_version, ${SCHEMA_VERSION}) WHERE singleton`,
  ];
}
