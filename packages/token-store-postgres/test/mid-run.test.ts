import { eventually } from '@connexease-kit/token-store-conformance';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminQuery, useRandomSchema } from './support/shared-postgres.ts';
import { namespace, rejectionOf, useStores } from './support/stores.ts';

const DAY_MS = 86_400_000;
const schema = useRandomSchema();
const makeStore = useStores({ schema });
/** Each test gets tables of its own: a quota found lost counts as spent for every namespace of those tables. */
let prefix = 'connexease_';
const storeFor = () => makeStore({ tablePrefix: prefix });
beforeEach(() => {
  prefix = `t${crypto.randomUUID().slice(0, 8)}_`;
});

async function fillQuota(store: ReturnType<typeof storeFor>, ns: string, limit: number, windowMs: number) {
  for (let index = 0; index < limit; index++) {
    expect((await store.reserveIssue(ns, { id: `r${index}`, limit, windowMs })).granted).toBe(true);
  }
}

describe('a table dropped mid-run', () => {
  it('fails closed with STORE_UNAVAILABLE saying the tables are missing, then the next call re-creates them', async () => {
    const store = storeFor();
    const ns = namespace();
    const lease = await store.acquireLease(ns, { ttlMs: 60_000 });
    expect(
      await store.writeToken(ns, lease!, {
        value: 'jwt.a.b',
        issuedAt: 0,
        expiresAt: Date.now() + DAY_MS,
        fence: lease!.fence,
      }),
    ).toBe(true);

    await adminQuery(`DROP TABLE ${schema}.${prefix}tokens`);
    const error = await rejectionOf(store.readToken(ns));
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(String(error.message)).toMatch(/tables or functions are missing/);
    expect(String(error.message)).toContain(`${prefix}* in schema ${schema}`);

    expect(await store.readToken(ns)).toBeNull();
    const next = await store.acquireLease(namespace(), { ttlMs: 1000 });
    expect(next!.fence).toBeGreaterThan(lease!.fence);
  });
});

describe('the quota is not forgotten', () => {
  it('a quota table truncated mid-window counts as spent until a window has passed since, then frees up', async () => {
    const store = storeFor();
    const peer = storeFor();
    const ns = namespace();
    const windowMs = 3000;
    await fillQuota(store, ns, 3, windowMs);

    const { now: truncatedAround } = await store.quotaUsage(namespace(), { windowMs });
    await adminQuery(`TRUNCATE ${schema}.${prefix}quota`);

    const denied = await peer.reserveIssue(ns, { id: 'after-truncate', limit: 3, windowMs });
    expect(denied.granted, 'an emptied quota table must not read as "nothing used"').toBe(false);
    expect(denied.retryAt).toBeGreaterThanOrEqual(truncatedAround + windowMs);
    expect(denied.used).toBeGreaterThanOrEqual(3);
    // Every namespace: the store cannot know which ones had entries.
    const other = await store.reserveIssue(namespace(), { id: 'x', limit: 25, windowMs });
    expect(other.granted).toBe(false);
    const usage = await store.quotaUsage(ns, { windowMs });
    expect(usage.used).toBeGreaterThanOrEqual(3);

    const granted = await eventually(
      () => store.reserveIssue(ns, { id: 'later', limit: 3, windowMs }),
      (decision) => decision.granted,
      { timeoutMs: windowMs + 10_000, description: 'the unknown window passed', intervalMs: 200 },
    );
    expect(granted).toEqual({ granted: true, used: 1, limit: 3 });
  }, 30_000);

  it('a quota table dropped mid-run is re-created as spent', async () => {
    const store = storeFor();
    const ns = namespace();
    await fillQuota(store, ns, 1, DAY_MS);
    await adminQuery(`DROP TABLE ${schema}.${prefix}quota CASCADE`);

    expect((await rejectionOf(store.reserveIssue(ns, { id: 'b', limit: 2, windowMs: DAY_MS }))).code).toBe(
      'STORE_UNAVAILABLE',
    );
    const decision = await store.reserveIssue(ns, { id: 'b', limit: 2, windowMs: DAY_MS });
    expect(decision.granted).toBe(false);
    expect(decision.retryAt).toBeGreaterThan(Date.now() + DAY_MS - 60_000);
  });

  it('every table truncated, the meta row included: still spent, never free', async () => {
    const store = storeFor();
    const ns = namespace();
    await fillQuota(store, ns, 2, DAY_MS);
    const tables = ['meta', 'tokens', 'leases', 'quota', 'blocks'].map((t) => `${schema}.${prefix}${t}`);
    await adminQuery(`TRUNCATE ${tables.join(', ')}`);

    const decision = await store.reserveIssue(ns, { id: 'c', limit: 25, windowMs: DAY_MS });
    expect(decision.granted).toBe(false);
    expect((await store.quotaUsage(ns, { windowMs: DAY_MS })).used).toBeGreaterThanOrEqual(25);
  });

  it('fences keep growing after the lease and token tables were truncated', async () => {
    const store = storeFor();
    const ns = namespace();
    const first = await store.acquireLease(ns, { ttlMs: 60_000 });
    await adminQuery(`TRUNCATE ${schema}.${prefix}leases, ${schema}.${prefix}tokens`);
    const second = await store.acquireLease(ns, { ttlMs: 60_000 });
    expect(second!.fence).toBeGreaterThan(first!.fence);
  });
});
