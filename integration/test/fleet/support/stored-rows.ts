import { randomBytes } from 'node:crypto';
import { postgresQuery, SHARED_DATABASE_URL } from '@connexease-kit/test-servers';
import { createPostgresTokenStore } from '@connexease-kit/token-store-postgres';
import { expect } from 'vitest';

/** A schema name no other test run uses. */
export function randomSchema(): string {
  return `cxk_fleet_${randomBytes(6).toString('hex')}`;
}

/** Creates the store's tables in `schema` of `url` before any replica starts (they would otherwise queue on the migration lock). */
export async function migrateSchema(url: string, schema: string): Promise<void> {
  const store = createPostgresTokenStore({ connectionString: url, schema });
  try {
    await store.migrate();
  } finally {
    await store.close();
  }
}

const TABLES = ['tokens', 'leases', 'quota', 'quota_markers', 'blocks'] as const;

/** One row of a namespace as PostgreSQL holds it: its table, its time to live and its text. */
export interface StoredRow {
  table: (typeof TABLES)[number];
  ttlMs: number;
  contents: string;
}

/** Every row of `ns` in the store's tables (default prefix), with its TTL on the database clock. */
export async function namespaceRows(
  ns: string,
  schema: string,
  url: string = SHARED_DATABASE_URL,
): Promise<StoredRow[]> {
  const rows: StoredRow[] = [];
  for (const table of TABLES) {
    const found = await postgresQuery<{ ttl_ms: number; contents: string }>(
      `SELECT (t.expires_at - floor(extract(epoch from clock_timestamp()) * 1000))::float8 AS ttl_ms,
              row_to_json(t)::text AS contents
       FROM ${schema}.connexease_${table} t WHERE t.ns = $1`,
      [ns],
      url,
    );
    for (const row of found) rows.push({ table, ttlMs: row.ttl_ms, contents: row.contents });
  }
  return rows;
}

/**
 * Guarantee 8 and "no record without an expiry", on what a fleet left in PostgreSQL: every row of the
 * namespace expires in the future, and no row of any of the store's tables contains any of `secrets`
 * (username, password). Returns the namespace's rows.
 */
export async function expectTidyRows(
  ns: string,
  schema: string,
  secrets: readonly string[],
  url: string = SHARED_DATABASE_URL,
): Promise<StoredRow[]> {
  const rows = await namespaceRows(ns, schema, url);
  expect(rows.length, 'the fleet left its rows in PostgreSQL').toBeGreaterThan(0);
  for (const { table, ttlMs } of rows) expect(ttlMs, `a row of ${table} must expire`).toBeGreaterThan(0);
  for (const table of TABLES) {
    const all = await postgresQuery<{ contents: string }>(
      `SELECT row_to_json(t)::text AS contents FROM ${schema}.connexease_${table} t`,
      [],
      url,
    );
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(8);
      for (const { contents } of all)
        expect(contents.includes(secret), `${table} holds a secret`).toBe(false);
    }
  }
  return rows;
}
