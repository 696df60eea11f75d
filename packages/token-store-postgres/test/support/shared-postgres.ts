import { randomBytes } from 'node:crypto';
import { postgresQuery, requireSharedPostgres, SHARED_DATABASE_URL } from '@connexease-kit/test-servers';
import { afterAll, beforeAll } from 'vitest';

export { requireSharedPostgres, SHARED_DATABASE_URL };

/** A schema name no other test run uses. */
export function randomSchemaName(): string {
  return `cxk_test_${randomBytes(6).toString('hex')}`;
}

/** Runs `sql` on the shared database with a short-lived client. */
export const adminQuery: typeof postgresQuery = postgresQuery;

/**
 * Registers the hooks of a test file that uses the shared PostgreSQL: fails early (saying how to start
 * it) when it does not answer, and drops the file's own random schema (returned) after the last test.
 */
export function useRandomSchema(): string {
  const schema = randomSchemaName();
  beforeAll(() => requireSharedPostgres());
  afterAll(async () => {
    await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  });
  return schema;
}
