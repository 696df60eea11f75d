import { afterEach } from 'vitest';
import {
  createPostgresTokenStore,
  type PostgresTokenStore,
  type PostgresTokenStoreCommonOptions,
} from '../../src/index.ts';
import { SHARED_DATABASE_URL } from './shared-postgres.ts';

/**
 * Registers an `afterEach` that closes every store made through the returned factory, so a failing
 * test never leaves a pool or a LISTEN connection open.
 */
export function useStores(
  defaults: PostgresTokenStoreCommonOptions,
): (options?: PostgresTokenStoreCommonOptions & { connectionString?: string }) => PostgresTokenStore {
  const made: PostgresTokenStore[] = [];
  afterEach(async () => {
    await Promise.all(made.splice(0).map((store) => store.close()));
  });
  return (options = {}) => {
    const store = createPostgresTokenStore({
      connectionString: SHARED_DATABASE_URL,
      ...defaults,
      ...options,
    });
    made.push(store);
    return store;
  };
}

/** A random namespace, as the provider's hashes look. */
export function namespace(): string {
  return `ns-${crypto.randomUUID()}`;
}

/** Resolves with the rejection of `promise` (fails if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('expected a rejection, but the call succeeded');
}
