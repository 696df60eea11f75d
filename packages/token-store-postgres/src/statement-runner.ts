import { withDeadline } from './connection.ts';
import { ensureSchema } from './migrate.ts';
import type { PostgresPool } from './options.ts';
import type { StoreSettings } from './settings.ts';
import { describeTables } from './sql/names.ts';
import type { Statements } from './sql/statements.ts';
import { isMissingObject, toStoreError } from './store-error.ts';

/** A first call may wait this long for the migration (a fleet starting at once queues on its lock). */
const MIGRATION_TIMEOUT_FLOOR_MS = 15_000;

/**
 * Runs the store's statements: the schema check (and migration) once before the first, every statement
 * within `commandTimeoutMs`, failures as `STORE_UNAVAILABLE` (our own typed errors pass through). A
 * statement that finds a table or function missing (dropped mid-run) makes the next call migrate again.
 */
export class StatementRunner {
  readonly #pool: PostgresPool;
  readonly #settings: StoreSettings;
  readonly #sql: Statements;
  #schemaReady: Promise<void> | undefined;
  /** A statement found a table missing: the next call migrates without trusting the meta row. */
  #forceMigration = false;

  constructor(pool: PostgresPool, settings: StoreSettings, sql: Statements) {
    this.#pool = pool;
    this.#settings = settings;
    this.#sql = sql;
  }

  /** Migrates now, whatever the meta row says (the store's `migrate()`). */
  async migrate(): Promise<void> {
    const ms = this.#migrationTimeoutMs();
    await withDeadline(
      ms,
      () => ensureSchema(this.#pool, this.#settings.names, this.#sql, true, true),
      () => `migrate failed: PostgreSQL did not answer within ${ms} ms`,
    );
    this.#schemaReady = Promise.resolve();
  }

  /** Runs one statement (after the schema check) and returns its rows. */
  async run(operation: string, text: string, values: unknown[]): Promise<Record<string, unknown>[]> {
    try {
      const migrationMs = this.#migrationTimeoutMs();
      await withDeadline(
        migrationMs,
        () => this.#ready(),
        () => `${operation} failed: the schema check did not finish within ${migrationMs} ms`,
      );
      const ms = this.#settings.commandTimeoutMs;
      const result = await withDeadline(
        ms,
        () => this.#pool.query(text, values),
        () => `${operation} failed: PostgreSQL did not answer within ${ms} ms`,
      );
      return result.rows;
    } catch (error) {
      if (isMissingObject(error)) {
        this.#schemaReady = undefined;
        this.#forceMigration = true;
      }
      throw toStoreError(operation, error, describeTables(this.#settings.names));
    }
  }

  #migrationTimeoutMs(): number {
    return Math.max(this.#settings.commandTimeoutMs, MIGRATION_TIMEOUT_FLOOR_MS);
  }

  /** The schema check (and migration) of the first call, shared by every call until it succeeds. */
  #ready(): Promise<void> {
    if (this.#schemaReady === undefined) {
      const force = this.#forceMigration;
      this.#forceMigration = false;
      const ready = ensureSchema(this.#pool, this.#settings.names, this.#sql, this.#settings.migrate, force);
      this.#schemaReady = ready;
      ready.catch(() => {
        if (this.#schemaReady === ready) this.#schemaReady = undefined;
      });
    }
    return this.#schemaReady;
  }
}
