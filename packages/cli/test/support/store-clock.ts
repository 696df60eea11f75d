import type { TokenRecord } from '@connexease-kit/auth-core/store';
import type { StoreFixture } from './stores.ts';

/** The store's clock (Redis `TIME`, the file store's host) as the CLI reads it. */
export async function storeNow(fixture: StoreFixture, ns: string): Promise<number> {
  return (await fixture.store.quotaUsage(ns, { windowMs: 60_000 })).now;
}

/** Writes `record` under `ns` the way a service does: under the issue lease, released afterwards. */
export async function writeRecord(
  fixture: StoreFixture,
  ns: string,
  record: Omit<TokenRecord, 'fence'>,
): Promise<void> {
  const lease = await fixture.store.acquireLease(ns, { ttlMs: 10_000 });
  if (lease === null) throw new Error('the issue lease is held: cannot seed a token');
  const written = await fixture.store.writeToken(ns, lease, { ...record, fence: lease.fence });
  await fixture.store.releaseLease(ns, lease);
  if (!written) throw new Error('the store refused the seeded token');
}
