import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import type { PostgresPool } from './options.ts';
import { describeTables, type SqlNames } from './sql/names.ts';
import { expectedColumns, KIT_MARKER, SCHEMA_VERSION } from './sql/schema.ts';
import { migrationLockStatement, migrationStatements, type Statements } from './sql/statements.ts';
import { errorCode, isMissingObject, safeMessage, toStoreError } from './store-error.ts';

/** Runs one statement; failures reject as they come (the caller maps them). */
type Query = (text: string, values?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

function configInvalid(message: string, cause?: unknown): ConnexeaseAuthError {
  return new ConnexeaseAuthError('CONFIG_INVALID', `PostgreSQL token store: ${message}`, {
    ...(cause === undefined ? {} : { cause: new Error(safeMessage(cause)) }),
  });
}

type SchemaState = 'current' | 'missing' | 'outdated';

/** Whether the meta row says the schema is current; a meta table that is not ours is an error. */
async function schemaState(query: Query, names: SqlNames, sql: Statements): Promise<SchemaState> {
  let rows: Record<string, unknown>[];
  try {
    ({ rows } = await query(sql.readMeta));
  } catch (error) {
    if (isMissingObject(error)) return 'missing';
    if (errorCode(error) === '42703') throw notOurs(names.meta, 'it has no column kit');
    throw error;
  }
  const row = rows[0];
  if (row === undefined) return 'outdated';
  if (row.kit !== KIT_MARKER) throw notOurs(names.meta, 'its kit column does not name connexease-kit');
  return Number(row.schema_version) >= SCHEMA_VERSION ? 'current' : 'outdated';
}

function notOurs(table: string, why: string): ConnexeaseAuthError {
  return configInvalid(
    `a table named ${table} already exists and is not a connexease-kit table (${why}): ` +
      'choose another schema or tablePrefix option, or drop that table',
  );
}

/** Refuses to migrate over a same-named table that is not ours (CREATE TABLE IF NOT EXISTS would keep it). */
async function checkExistingTables(query: Query, names: SqlNames, sql: Statements): Promise<void> {
  const expected = expectedColumns(names);
  const tableNames = Object.keys(expected).map((table) => table.slice(names.schema.length + 1));
  const { rows } = await query(sql.describeColumns, [names.schema, tableNames]);
  const found = new Map<string, Map<string, string>>();
  for (const row of rows) {
    const table = String(row.table_name);
    if (!found.has(table)) found.set(table, new Map());
    found.get(table)?.set(String(row.column_name), String(row.data_type));
  }
  for (const [table, columns] of Object.entries(expected)) {
    const actual = found.get(table);
    if (actual === undefined) continue;
    for (const [column, type] of Object.entries(columns)) {
      const actualType = actual.get(column);
      if (actualType === undefined) throw notOurs(table, `it has no column ${column}`);
      if (actualType !== type) throw notOurs(table, `its column ${column} is ${actualType}, not ${type}`);
    }
  }
}

/**
 * Makes sure the schema is current: one read when it is; otherwise (with `allowMigration`) creates what
 * is missing in one transaction under an advisory lock, so a fleet starting at once migrates once.
 * With `force` (and `allowMigration`), migrates without trusting the meta row.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` when the tables are missing and migrating is off, when a
 *   same-named table is not ours, or when the role may not create them; `STORE_UNAVAILABLE` otherwise.
 */
export async function ensureSchema(
  pool: PostgresPool,
  names: SqlNames,
  sql: Statements,
  allowMigration: boolean,
  force = false,
): Promise<void> {
  const query: Query = (text, values) => pool.query(text, values);
  try {
    // `force`: a statement found a table or function missing although the meta row may look current.
    if (!(force && allowMigration) && (await schemaState(query, names, sql)) === 'current') return;
    if (!allowMigration) {
      throw configInvalid(
        `the tables in schema ${names.schema} are missing or outdated and migrate is false: apply ` +
          "postgresMigrationSql() (see the package's README) or let the store migrate",
      );
    }
    await checkExistingTables(query, names, sql);
    // One simple-protocol query: its statements run as one implicit transaction, rolled back on error.
    await query([migrationLockStatement(names), ...migrationStatements(names)].join(';\n'));
  } catch (error) {
    throw migrationError(error, names);
  }
}

function migrationError(error: unknown, names: SqlNames): ConnexeaseAuthError {
  if (error instanceof ConnexeaseAuthError) return error;
  const code = errorCode(error);
  if (code === '42501') {
    return configInvalid(
      `the database role may not create the store's tables in schema ${names.schema} (${safeMessage(error)}): ` +
        `GRANT CREATE ON SCHEMA ${names.schema} (or ON DATABASE, for a new schema) to it, or apply ` +
        'postgresMigrationSql() as an owner and pass migrate: false',
      error,
    );
  }
  if (code === '42703' || code === '42804' || code === '42P16') {
    return configInvalid(
      `a table in schema ${names.schema} with one of the store's names is not a connexease-kit table ` +
        `(${safeMessage(error)}): choose another schema or tablePrefix`,
      error,
    );
  }
  return toStoreError('migrate', error, describeTables(names));
}
