import { assertSchemaName, assertTablePrefix } from '../validate.ts';
import { sqlNames } from './names.ts';
import { migrationLockStatement, migrationStatements } from './statements.ts';

/**
 * The migration the store runs (`migrate()`), as one SQL script for a DBA to review and apply, e.g.
 * with `psql -v ON_ERROR_STOP=1 --single-transaction -f`. Idempotent. Pass the same `schema` and
 * `tablePrefix` as the store.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` for an invalid schema or prefix.
 */
export function postgresMigrationSql(options: { schema?: string; tablePrefix?: string } = {}): string {
  const schema = options.schema ?? 'public';
  const tablePrefix = options.tablePrefix ?? 'connexease_';
  assertSchemaName(schema);
  assertTablePrefix(tablePrefix);
  const names = sqlNames(schema, tablePrefix);
  const header = `-- connexease-kit token store: schema ${schema}, table prefix ${tablePrefix}\n`;
  return `${header}${[migrationLockStatement(names), ...migrationStatements(names)].join(';\n\n')};\n`;
}
