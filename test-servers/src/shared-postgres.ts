import pg from 'pg';

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
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    throw new Error(
      `PostgreSQL is not answering on ${address(url)} (${(error as Error).message}): start one ` +
        '(apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect 15 main start; `bash .ci/run` does it), ' +
        'with trust auth for user postgres on 127.0.0.1 and a database named test ' +
        '(createdb -h 127.0.0.1 -U postgres test), or point DATABASE_URL at a PostgreSQL 12+ server.',
    );
  } finally {
    await client.end().catch(() => {});
  }
}

/** Runs `sql` on `url` (default: the shared database) with a short-lived client. */
export async function postgresQuery<T extends Record<string, unknown> = Record<string, unknown>>(
  sql: string,
  values?: unknown[],
  url: string = SHARED_DATABASE_URL,
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => {});
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}
