import type { TokenStore } from '@connexease-kit/auth-core';
import type { Lease } from '@connexease-kit/auth-core/store';
import { describe, expect } from 'vitest';
import { betweenClockReadings, expectBetween, mustAcquire } from '../fixtures.ts';
import type { SuiteContext } from '../harness.ts';
import { randomNamespace } from '../random-namespace.ts';
import { eventually } from '../timing.ts';

const CONTENDERS = 20;

function winners(results: Array<Lease | null>): Lease[] {
  return results.filter((lease): lease is Lease => lease !== null);
}

/** acquireLease / extendLease / releaseLease / readLease: ownership, expiry, fencing, exclusion. */
export function describeLeases<S extends TokenStore>({ it, settings }: SuiteContext<S>): void {
  const shortLeaseMs = 300;
  const expiryWaitMs = shortLeaseMs + settings.expiryGraceMs;
  const expired = (store: TokenStore, ns: string): Promise<Lease | null> =>
    eventually(
      () => store.readLease(ns),
      (lease) => lease === null,
      { timeoutMs: expiryWaitMs, description: 'the lease expired' },
    );

  describe('leases', () => {
    it('acquireLease grants { id, fence, expiresAt } with expiresAt = now + ttlMs', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const ttlMs = 30_000;
      const reading = await betweenClockReadings(settings, store, () => store.acquireLease(ns, { ttlMs }));
      const lease = reading.value;

      expect(lease).not.toBeNull();
      expect(typeof lease!.id).toBe('string');
      expect(lease!.id.length).toBeGreaterThan(0);
      expect(Number.isSafeInteger(lease!.fence)).toBe(true);
      expectBetween(
        settings,
        lease!.expiresAt,
        { before: reading.before + ttlMs, after: reading.after + ttlMs },
        'lease.expiresAt',
      );
    });

    it('acquireLease while the lease is held returns null and the holder keeps it', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const holder = await mustAcquire(store, ns);

      expect(await store.acquireLease(ns, { ttlMs: 30_000 })).toBeNull();
      expect(await (await h.peer()).acquireLease(ns, { ttlMs: 30_000 })).toBeNull();
      expect(await store.readLease(ns)).toMatchObject({ id: holder.id, fence: holder.fence });
    });

    it('leases of different namespaces are independent', async (h) => {
      const store = await h.store();
      await mustAcquire(store, randomNamespace());
      expect(await store.acquireLease(randomNamespace(), { ttlMs: 30_000 })).not.toBeNull();
    });

    it(
      'fences strictly increase across grants, after release and after expiry',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const first = await mustAcquire(store, ns);
        expect(await store.releaseLease(ns, first)).toBe(true);
        const second = await mustAcquire(await h.peer(), ns, shortLeaseMs);
        await expired(store, ns);
        const third = await mustAcquire(store, ns);

        expect(second.fence).toBeGreaterThan(first.fence);
        expect(third.fence).toBeGreaterThan(second.fence);
        expect(new Set([first.id, second.id, third.id]).size).toBe(3);
      },
      expiryWaitMs,
    );

    it('releaseLease by a non-owner returns false and the lease stays held', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const holder = await mustAcquire(store, ns);

      expect(await store.releaseLease(ns, { ...holder, id: crypto.randomUUID() })).toBe(false);
      expect(await store.acquireLease(ns, { ttlMs: 30_000 })).toBeNull();
      expect(await store.readLease(ns)).toMatchObject({ id: holder.id, fence: holder.fence });
    });

    it('releaseLease by the owner frees the lease once; a second release returns false', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const holder = await mustAcquire(store, ns);

      expect(await store.releaseLease(ns, holder)).toBe(true);
      expect(await store.readLease(ns)).toBeNull();
      expect(await store.releaseLease(ns, holder)).toBe(false);
      expect(await store.acquireLease(ns, { ttlMs: 30_000 })).not.toBeNull();
    });

    it('extendLease by the owner keeps id and fence and moves expiresAt later', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const holder = await mustAcquire(store, ns, 10_000);
      const ttlMs = 50_000;
      const reading = await betweenClockReadings(settings, store, () => store.extendLease(ns, holder, ttlMs));
      const extended = reading.value;

      expect(extended).not.toBeNull();
      expect(extended).toMatchObject({ id: holder.id, fence: holder.fence });
      expect(extended!.expiresAt).toBeGreaterThan(holder.expiresAt);
      expectBetween(
        settings,
        extended!.expiresAt,
        { before: reading.before + ttlMs, after: reading.after + ttlMs },
        'extended lease.expiresAt',
      );
      expect((await store.readLease(ns))?.expiresAt).toBeGreaterThan(holder.expiresAt);
    });

    it('extendLease by a non-owner or after release returns null', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const holder = await mustAcquire(store, ns);

      expect(await store.extendLease(ns, { ...holder, id: crypto.randomUUID() }, 30_000)).toBeNull();
      expect(await store.releaseLease(ns, holder)).toBe(true);
      expect(await store.extendLease(ns, holder, 30_000)).toBeNull();
      expect(await store.readLease(ns)).toBeNull();
    });

    it(
      'extendLease after the lease expired returns null and does not revive it',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const holder = await mustAcquire(store, ns, shortLeaseMs);
        await expired(store, ns);

        expect(await store.extendLease(ns, holder, 30_000)).toBeNull();
        expect(await store.readLease(ns)).toBeNull();
        expect(await store.acquireLease(ns, { ttlMs: 30_000 })).not.toBeNull();
      },
      expiryWaitMs,
    );

    it(
      'a lease whose holder crashed (never released) expires after its ttl and can be re-acquired',
      async (h) => {
        const ns = randomNamespace();
        const crashed = await mustAcquire(await h.store(), ns, shortLeaseMs);
        const survivor = await h.peer();
        expect(await survivor.acquireLease(ns, { ttlMs: 30_000 })).toBeNull();

        const takeover = await eventually(
          () => survivor.acquireLease(ns, { ttlMs: 30_000 }),
          (lease) => lease !== null,
          { timeoutMs: expiryWaitMs, description: 'the crashed holder’s lease expired' },
        );
        expect(takeover!.fence).toBeGreaterThan(crashed.fence);
      },
      expiryWaitMs,
    );

    it('readLease shows the current holder and null when nobody holds the lease', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      expect(await store.readLease(ns)).toBeNull();
      const holder = await mustAcquire(store, ns);

      const seen = await (await h.peer()).readLease(ns);
      expect(seen).toMatchObject({ id: holder.id, fence: holder.fence });
      expect(Math.abs(seen!.expiresAt - holder.expiresAt)).toBeLessThanOrEqual(settings.clockToleranceMs + 1);
    });

    it(`${CONTENDERS} concurrent acquireLease calls on one instance: exactly one wins`, async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const results = await Promise.all(
        Array.from({ length: CONTENDERS }, () => store.acquireLease(ns, { ttlMs: 30_000 })),
      );

      const won = winners(results);
      expect(won).toHaveLength(1);
      expect(await store.readLease(ns)).toMatchObject({ id: won[0]!.id, fence: won[0]!.fence });
    });

    if (settings.multiProcess) {
      it(`${CONTENDERS} concurrent acquireLease calls across ${settings.instances} instances: exactly one wins`, async (h) => {
        const stores = await h.instances();
        const ns = randomNamespace();
        const results = await Promise.all(
          Array.from({ length: CONTENDERS }, (_, i) =>
            stores[i % stores.length]!.acquireLease(ns, { ttlMs: 30_000 }),
          ),
        );

        const won = winners(results);
        expect(won).toHaveLength(1);
        for (const store of stores) {
          expect(await store.readLease(ns)).toMatchObject({ id: won[0]!.id, fence: won[0]!.fence });
        }
      });
    }
  });
}
