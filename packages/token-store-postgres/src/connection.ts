import pg from 'pg';
import type { ListenClient } from './listener.ts';
import type { PostgresPool } from './options.ts';
import type { StoreSettings } from './settings.ts';
import { storeUnavailable } from './store-error.ts';
import { invalid } from './validate.ts';

const APPLICATION_NAME = 'connexease-kit';

/** Checks a connection string without ever repeating it (it may hold a password). */
export function assertConnectionString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(`${name} must be a non-empty postgres:// URL`);
  }
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw invalid(`${name} is not a valid URL (expected postgres://[user[:password]@]host[:port]/database)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw invalid(`${name} must start with postgres:// or postgresql://, not ${parsed.protocol}//`);
  }
}

/** Whether `value` looks like a node-postgres `Pool`. */
export function isPool(value: unknown): value is PostgresPool {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { query?: unknown }).query === 'function' &&
    typeof (value as { connect?: unknown }).connect === 'function'
  );
}

/**
 * The store's own pool: small, fail-fast (a connection attempt gives up after `commandTimeoutMs`), and
 * never the reason a process stays alive (`allowExitOnIdle`).
 */
export function createOwnedPool(connectionString: string, settings: StoreSettings): PostgresPool {
  return new pg.Pool({
    connectionString,
    max: settings.maxConnections,
    connectionTimeoutMillis: Math.ceil(settings.commandTimeoutMs),
    idleTimeoutMillis: 30_000,
    allowExitOnIdle: true,
    application_name: APPLICATION_NAME,
  }) as unknown as PostgresPool;
}

/**
 * How the LISTEN connection is made: from `listenConnectionString` when given (PgBouncer in transaction
 * pooling cannot LISTEN), else from the pool's own settings. `undefined` when neither is known: waiters
 * then only poll.
 */
export function listenConnector(
  pool: PostgresPool,
  settings: StoreSettings,
): (() => ListenClient) | undefined {
  const base =
    settings.listenConnectionString !== undefined
      ? { connectionString: settings.listenConnectionString }
      : pool.options;
  if (base === undefined) return undefined;
  return () =>
    new pg.Client({
      ...base,
      connectionTimeoutMillis: Math.ceil(settings.commandTimeoutMs),
      application_name: `${APPLICATION_NAME}:listen`,
    }) as unknown as ListenClient;
}

/**
 * Runs `task` within `ms`; past it, rejects with `STORE_UNAVAILABLE` (`onTimeout`). The statement may
 * still complete later: every statement of the store is safe to run late.
 */
export function withDeadline<T>(ms: number, task: () => Promise<T>, describe: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(storeUnavailable(describe())), ms);
    task().then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
