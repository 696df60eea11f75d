import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';

/** The PostgreSQL the integration tests share: `DATABASE_URL`, or the local default (trust auth, database `test`). */
export const SHARED_DATABASE_URL: string =
  process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** `host:port/database` of a URL, without credentials (safe for messages). */
function address(url: string): string {
  const parsed = new URL(url);
  return `${parsed.hostname || '127.0.0.1'}:${parsed.port || 5432}${parsed.pathname}`;
}

/**
 * Fails (with how to fix it) when the shared PostgreSQL does not answer. Call it in `beforeAll`, so a
 * missing server is one clear failure instead of dozens of STORE_UNAVAILABLE errors.
 */
export async function requireSharedPostgres(url: string = SHARED_DATABASE_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not answering on ${address(url)} (${(error as Error).message}): start one with ` +
        "`bash .ci/run`'s setup (apt-get install -y postgresql; pg_ctlcluster 15 main start), with trust " +
        'auth for user postgres and a database named test (createdb -h 127.0.0.1 -U postgres test), or ' +
        'point DATABASE_URL at a PostgreSQL 12+ server.',
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** A schema name no other test run uses. */
export function randomSchemaName(): string {
  return `cxk_test_${randomBytes(6).toString('hex')}`;
}

/** Runs `sql` on the shared database with a short-lived client. */
export async function adminQuery<T extends Record<string, unknown> = Record<string, unknown>>(
  sql: string,
  values?: unknown[],
  url: string = SHARED_DATABASE_URL,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * Registers the hooks of a test file that uses the shared PostgreSQL: fails early when it does not
 * answer, and drops the file's own random schema (returned) after the last test.
 */
export function useRandomSchema(): string {
  const schema = randomSchemaName();
  beforeAll(() => requireSharedPostgres());
  afterAll(async () => {
    await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
  });
  return schema;
}
