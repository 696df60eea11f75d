/**
 * What the PostgreSQL benchmarks share: a private PostgreSQL (initdb in a temporary directory, so no
 * other process's statements end up in the numbers) and a pool that counts the statements the store
 * sends through it (one statement is one round trip: every store call is one statement).
 */
import { type PrivatePostgres, startPrivatePostgres } from '@connexease-kit/test-servers';
import type { PostgresPool } from '@connexease-kit/token-store-postgres';
import pg from 'pg';

export type { PrivatePostgres };

/** A PostgreSQL of the benchmark alone, on a free port. */
export function startBenchPostgres(): Promise<PrivatePostgres> {
  return startPrivatePostgres();
}

/** A pg.Pool that counts every statement sent through it. */
export interface CountingPool {
  pool: PostgresPool;
  /** Statements sent so far. */
  readonly count: number;
  /** Ends the pool. */
  end(): Promise<void>;
}

export function countingPool(connectionString: string): CountingPool {
  const real = new pg.Pool({ connectionString, max: 5 });
  real.on('error', () => {});
  let count = 0;
  const pool: PostgresPool = {
    query: (text, values) => {
      count++;
      return real.query(text, values);
    },
    connect: () => real.connect(),
    end: () => real.end(),
    on: (event, listener) => real.on(event, listener),
    options: real.options,
  };
  return {
    pool,
    get count() {
      return count;
    },
    end: () => real.end(),
  };
}
