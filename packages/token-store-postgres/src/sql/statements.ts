import { NOW_MS, type SqlNames } from './names.ts';
import { type QuotaStatements, quotaFunctions, quotaStatements } from './quota.ts';
import { metaStatements, tableStatements } from './schema.ts';
import { tokenFunctions } from './tokens.ts';

/** Every statement a store runs, built once per store from its schema and prefix. */
export interface Statements extends QuotaStatements {
  readToken: string;
  writeToken: string;
  discardToken: string;
  acquireLease: string;
  extendLease: string;
  releaseLease: string;
  readLease: string;
  readBlock: string;
  writeBlock: string;
  clearBlock: string;
  sweep: string;
  inspect: string;
  readMeta: string;
  describeColumns: string;
}

/** The clock as a one-row relation, so a statement reads it once. */
const CLOCK = `(SELECT ${NOW_MS} AS now_ms) c`;

export function statements(names: SqlNames): Statements {
  return {
    // Always one row: the database's clock, and the token's columns (NULL when there is none).
    readToken: `SELECT c.now_ms, t.value, t.issued_at, t.expires_at, t.fence, t.unauthorized_at,
  t.unauthorized_interval_ms FROM ${CLOCK}
LEFT JOIN ${names.tokens} t ON t.ns = $1 AND t.expires_at > c.now_ms`,
    writeToken: `SELECT ${names.fn('write_token_v1')}($1, $2, $3, $4, $5, $6, $7, $8) AS outcome`,
    discardToken: `SELECT ${names.fn('discard_token_v1')}($1, $2) AS deleted`,
    acquireLease: `SELECT lease_fence, lease_expires_at FROM ${names.fn('acquire_lease_v1')}($1, $2, $3)`,
    extendLease: `UPDATE ${names.leases} l SET expires_at = c.now_ms + $4 FROM ${CLOCK}
WHERE l.ns = $1 AND l.owner_id = $2 AND l.fence = $3 AND l.expires_at > c.now_ms RETURNING l.expires_at`,
    releaseLease: `DELETE FROM ${names.leases} l USING ${CLOCK}
WHERE l.ns = $1 AND l.owner_id = $2 AND l.fence = $3 AND l.expires_at > c.now_ms RETURNING l.ns`,
    readLease: `SELECT l.owner_id, l.fence, l.expires_at FROM ${names.leases} l, ${CLOCK}
WHERE l.ns = $1 AND l.expires_at > c.now_ms`,
    ...quotaStatements(names),
    readBlock: `SELECT b.record FROM ${names.blocks} b, ${CLOCK} WHERE b.ns = $1 AND b.expires_at > c.now_ms`,
    writeBlock: `INSERT INTO ${names.blocks} (ns, record, expires_at) SELECT $1, $2::jsonb, c.now_ms + $3 FROM ${CLOCK}
ON CONFLICT (ns) DO UPDATE SET record = excluded.record, expires_at = excluded.expires_at`,
    clearBlock: `DELETE FROM ${names.blocks} WHERE ns = $1`,
    sweep: `WITH c AS (SELECT ${NOW_MS} AS now_ms),
t AS (DELETE FROM ${names.tokens} x USING c WHERE x.expires_at <= c.now_ms RETURNING 1),
l AS (DELETE FROM ${names.leases} x USING c WHERE x.expires_at <= c.now_ms RETURNING 1),
q AS (DELETE FROM ${names.quota} x USING c WHERE x.expires_at <= c.now_ms RETURNING 1),
m AS (DELETE FROM ${names.quotaMarkers} x USING c WHERE x.expires_at <= c.now_ms RETURNING 1),
b AS (DELETE FROM ${names.blocks} x USING c WHERE x.expires_at <= c.now_ms RETURNING 1)
SELECT (SELECT count(*) FROM t) + (SELECT count(*) FROM l) + (SELECT count(*) FROM q) + (SELECT count(*) FROM m) + (SELECT count(*) FROM b) AS deleted`,
    inspect: `SELECT r.kind, r.key, r.ttl_ms FROM ${CLOCK}, LATERAL (
  SELECT 'token' AS kind, 'token' AS key, x.expires_at - c.now_ms AS ttl_ms FROM ${names.tokens} x WHERE x.ns = $1
  UNION ALL SELECT 'lease', 'lease', (x.expires_at - c.now_ms)::double precision FROM ${names.leases} x WHERE x.ns = $1
  UNION ALL SELECT 'quota', 'quota:' || x.id, (x.expires_at - c.now_ms)::double precision FROM ${names.quota} x WHERE x.ns = $1
  UNION ALL SELECT 'marker', 'quota-marker', (x.expires_at - c.now_ms)::double precision FROM ${names.quotaMarkers} x WHERE x.ns = $1
  UNION ALL SELECT 'block', 'block', (x.expires_at - c.now_ms)::double precision FROM ${names.blocks} x WHERE x.ns = $1
) r`,
    readMeta: `SELECT kit, schema_version FROM ${names.meta} WHERE singleton`,
    describeColumns: `SELECT c.table_schema || '.' || c.table_name AS table_name, a.attname AS column_name,
  format_type(a.atttypid, a.atttypmod) AS data_type
FROM information_schema.tables c
JOIN pg_attribute a ON a.attrelid = (quote_ident(c.table_schema) || '.' || quote_ident(c.table_name))::regclass
WHERE c.table_schema = $1 AND c.table_name = ANY($2) AND a.attnum > 0 AND NOT a.attisdropped`,
  };
}

/**
 * The migration, as statements to run in one transaction after taking the migration lock: schema,
 * tables, indexes, the sequence, the functions, the meta row. Idempotent.
 */
export function migrationStatements(names: SqlNames): string[] {
  return [
    ...tableStatements(names),
    ...tokenFunctions(names),
    ...quotaFunctions(names),
    ...metaStatements(names),
  ];
}

/** The advisory lock that serialises migrations of one schema and prefix (many replicas start at once). */
export function migrationLockStatement(names: SqlNames): string {
  return `SELECT pg_advisory_xact_lock(hashtextextended('connexease-kit:migrate:${names.lockScope}', 0))`;
}
