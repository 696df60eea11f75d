import type { AuthEventListener, TokenStore } from '@connexease-kit/auth-core';

/** Where the store logs. `console` and most structured loggers (pino, winston) fit. */
export interface PostgresTokenStoreLogger {
  warn(message: string): void;
  debug?(message: string): void;
}

/** A query result, as node-postgres returns it (only the rows are read). */
export interface PostgresQueryResult {
  rows: Record<string, unknown>[];
}

/**
 * The parts of a node-postgres `Pool` (pg 8) the store uses. Declared here so that the store's types
 * do not need `@types/pg`; a `pg.Pool` fits as it is.
 */
export interface PostgresPool {
  query(text: string, values?: unknown[]): Promise<PostgresQueryResult>;
  connect(): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  /** The settings the pool was created with; used for the LISTEN connection when no `listenConnectionString` is given. */
  options?: object;
}

/** Options every form of {@link createPostgresTokenStore} accepts. */
export interface PostgresTokenStoreCommonOptions {
  /**
   * The schema that holds the store's tables, created by `migrate()` when missing. Default `public`.
   * Lower-case letters, digits and `_`, starting with a letter or `_`, at most 40 characters.
   */
  schema?: string;
  /**
   * Prefix of every table, function and the notification channel. Default `connexease_`. Same characters as
   * `schema`, at most 20.
   */
  tablePrefix?: string;
  /**
   * Run `migrate()` before the first call (idempotent, serialised by an advisory lock, one cheap read once
   * the schema is current). Default `true`; turn it off when a DBA applies the shipped SQL
   * (`postgresMigrationSql()`) and the service's role may not create tables.
   */
  migrate?: boolean;
  /**
   * A session-mode connection for `LISTEN` (a direct PostgreSQL URL), for pools that go through PgBouncer in
   * transaction pooling, where `LISTEN` does not work. Default: the pool's own settings.
   */
  listenConnectionString?: string;
  /**
   * Upper bound of the fallback poll of `waitForToken`: each poll sleeps a random 50-100 % of this, so a
   * lost notification costs at most one interval. Default 1000 ms.
   */
  pollIntervalMs?: number;
  /**
   * Upper bound of every store call, waiting for a pooled connection included; past it the call rejects
   * with `STORE_UNAVAILABLE` (every statement is safe to complete late). Default 2000 ms.
   */
  commandTimeoutMs?: number;
  /** How often each store deletes expired rows (randomised by ±20 %). Default 10 minutes. */
  sweepIntervalMs?: number;
  /**
   * Lifetime of a block written without a TTL (banned, inactive: "until `unblock()`"): no row lives
   * forever. Default 400 days.
   */
  blockSafetyTtlMs?: number;
  /** Receives `warning` events (a LISTEN connection that keeps failing). */
  onEvent?: AuthEventListener;
  /** Receives the same warnings and a few debug lines. */
  logger?: PostgresTokenStoreLogger;
}

/** Use a pool you own: the store never ends it. */
export interface PostgresTokenStorePoolOptions extends PostgresTokenStoreCommonOptions {
  /** A node-postgres `Pool` (pg 8). */
  pool: PostgresPool;
}

/** Let the store create (and end) its own pool. */
export interface PostgresTokenStoreUrlOptions extends PostgresTokenStoreCommonOptions {
  /** `postgres://[user[:password]@]host[:port]/database[?…]`. Never logged or put in an error. */
  connectionString: string;
  /** Size of the store's pool. Default 5. */
  maxConnections?: number;
}

export type PostgresTokenStoreOptions = PostgresTokenStorePoolOptions | PostgresTokenStoreUrlOptions;

/** The kinds of rows a namespace may hold. */
export type PostgresRecordKind = 'token' | 'lease' | 'quota' | 'marker' | 'block';

/** One row of a namespace and the time it has left, as `inspectTtls` reports it. */
export interface PostgresRecordTtl {
  /** `token`, `lease`, `block`, `quota-marker`, or `quota:<reservation id>`. */
  key: string;
  kind: PostgresRecordKind;
  /** The qualified table name. */
  table: string;
  /** Milliseconds until the row expires (reads ignore it from then on; a sweep deletes it). */
  ttlMs: number | null;
}

/** The PostgreSQL `TokenStore`, plus `migrate()` and a debug view of its rows. */
export interface PostgresTokenStore extends TokenStore {
  /**
   * Creates the schema, tables and functions if missing (idempotent; safe from many processes at once).
   *
   * @throws ConnexeaseAuthError `CONFIG_INVALID` when the role may not create them or when a table of the
   *   same name exists that is not ours; `STORE_UNAVAILABLE` when the database cannot be reached.
   */
  migrate(): Promise<void>;
  /** The rows `ns` holds right now and their time to live. For tests and debugging; never reveals a value. */
  inspectTtls(ns: string): Promise<PostgresRecordTtl[]>;
  /** Deletes every expired row now (the store also does it every `sweepIntervalMs`). Returns how many. */
  sweep(): Promise<number>;
}
