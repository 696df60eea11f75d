import { eventually } from '@connexease-kit/token-store-conformance';
import { beforeEach, describe, expect, it } from 'vitest';
import { adminQuery, useRandomSchema } from './support/shared-postgres.ts';
import { namespace, rejectionOf, reserve, useStores } from './support/stores.ts';

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
    expect((await reserve(store, ns, { id: `r${index}`, limit, windowMs })).granted).toBe(true);
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
  it('a quota table truncated mid-window: the markers say so, the window counts as spent until it has passed, then frees up', async () => {
    const store = storeFor();
    const ns = namespace();
    const windowMs = 3000;
    await fillQuota(store, ns, 3, windowMs);
    const before = await store.quotaUsage(ns, { windowMs });
    const newest = before.entries.at(-1)!;

    await adminQuery(`TRUNCATE ${schema}.${prefix}quota`);

    const denied = await reserve(store, ns, { id: 'after-truncate', limit: 3, windowMs });
    expect(denied, 'an emptied quota table must not read as "nothing used"').toMatchObject({
      granted: false,
      denied: 'lost',
      lostThrough: newest.at,
      retryAt: newest.at + windowMs,
      epoch: before.epoch,
    });
    const usage = await store.quotaUsage(ns, { windowMs });
    expect(usage).toMatchObject({ used: 0, lostThrough: newest.at, epoch: before.epoch });
    // A namespace that never reserved has nothing to lose.
    expect((await reserve(store, namespace(), { id: 'x', limit: 25, windowMs })).granted).toBe(true);

    const granted = await eventually(
      () => reserve(store, ns, { id: 'later', limit: 3, windowMs }),
      (decision) => decision.granted,
      { timeoutMs: windowMs + 10_000, description: 'the lost window passed', intervalMs: 200 },
    );
    expect(granted).toMatchObject({ granted: true, used: 1, limit: 3, lostThrough: null });
  }, 30_000);

  it("a replica that remembers the newest entry brings the window back; clearQuotaLoss is the operator's way out", async () => {
    const store = storeFor();
    const ns = namespace();
    await fillQuota(store, ns, 2, DAY_MS);
    const remembered = (await store.quotaUsage(ns, { windowMs: DAY_MS })).entries;
    await adminQuery(`TRUNCATE ${schema}.${prefix}quota`);

    const restored = await store.restoreQuota(ns, { windowMs: DAY_MS, known: remembered });
    expect(restored).toMatchObject({ used: 2, lostThrough: null });
    expect(restored.entries.map((entry) => entry.id)).toEqual(remembered.map((entry) => entry.id));
    expect(await reserve(store, ns, { id: 'r2', limit: 2, windowMs: DAY_MS })).toMatchObject({
      granted: false,
      denied: 'quota',
    });

    const other = namespace();
    await fillQuota(store, other, 1, DAY_MS);
    await adminQuery(`DELETE FROM ${schema}.${prefix}quota WHERE ns = $1`, [other]);
    expect(await reserve(store, other, { id: 'next', limit: 5, windowMs: DAY_MS })).toMatchObject({
      denied: 'lost',
    });
    expect(await store.clearQuotaLoss(other)).toBe(true);
    expect(await store.clearQuotaLoss(other)).toBe(false);
    expect(await reserve(store, other, { id: 'next', limit: 5, windowMs: DAY_MS })).toMatchObject({
      granted: true,
      used: 1,
    });
  });

  it('a quota table dropped mid-run is re-created, and the markers still say its past is lost', async () => {
    const store = storeFor();
    const ns = namespace();
    await fillQuota(store, ns, 1, DAY_MS);
    await adminQuery(`DROP TABLE ${schema}.${prefix}quota CASCADE`);

    expect((await rejectionOf(reserve(store, ns, { id: 'b', limit: 2, windowMs: DAY_MS }))).code).toBe(
      'STORE_UNAVAILABLE',
    );
    const decision = await reserve(store, ns, { id: 'b', limit: 2, windowMs: DAY_MS });
    expect(decision).toMatchObject({ granted: false, denied: 'lost' });
    expect(decision.retryAt).toBeGreaterThan(Date.now() + DAY_MS - 60_000);
  });

  it('every table truncated: the store says it has no record (epoch null) instead of inventing one, and remembered entries count again', async () => {
    const store = storeFor();
    const ns = namespace();
    await fillQuota(store, ns, 2, DAY_MS);
    const before = await store.quotaUsage(ns, { windowMs: DAY_MS });
    const tables = ['meta', 'tokens', 'leases', 'quota', 'quota_markers', 'blocks'].map(
      (t) => `${schema}.${prefix}${t}`,
    );
    await adminQuery(`TRUNCATE ${tables.join(', ')}`);

    const after = await store.quotaUsage(ns, { windowMs: DAY_MS });
    expect(after).toMatchObject({ used: 0, epoch: null, lostThrough: null, entries: [] });
    const restored = await store.restoreQuota(ns, { windowMs: DAY_MS, known: before.entries });
    expect(restored.used).toBe(2);
    expect(restored.epoch).not.toBeNull();
    expect(restored.epoch).not.toBe(before.epoch);
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
