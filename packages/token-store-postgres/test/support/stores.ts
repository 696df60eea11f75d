import type { TokenStore } from '@connexease-kit/auth-core';
import type { Lease, QuotaDecision } from '@connexease-kit/auth-core/store';
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

/**
 * Reserves `id` as the lease holder of `ns` (the contract refuses anyone else): takes the lease when free,
 * or reuses the one this helper took before for `ns` on `store`.
 */
export async function reserve(
  store: TokenStore,
  ns: string,
  request: { id: string; limit: number; windowMs: number },
): Promise<QuotaDecision> {
  const key = `${ns}`;
  let lease = leases.get(store)?.get(key);
  if (lease === undefined) {
    lease = (await store.acquireLease(ns, { ttlMs: 600_000 })) ?? undefined;
    if (lease === undefined) throw new Error(`the lease of ${ns} is held by someone else`);
    if (!leases.has(store)) leases.set(store, new Map());
    leases.get(store)?.set(key, lease);
  }
  return store.reserveIssue(ns, { ...request, lease });
}
const leases = new WeakMap<TokenStore, Map<string, Lease>>();
