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

      expect(lease, 'acquireLease on a free namespace must grant a lease').not.toBeNull();
      expect(typeof lease!.id, 'a lease id must be a string').toBe('string');
      expect(lease!.id.length, 'a lease id must be non-empty').toBeGreaterThan(0);
      expect(Number.isSafeInteger(lease!.fence), 'a fence must be a safe integer').toBe(true);
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

      expect(
        await store.acquireLease(ns, { ttlMs: 30_000 }),
        'acquireLease must return null while another holds the lease',
      ).toBeNull();
      expect(
        await (await h.peer()).acquireLease(ns, { ttlMs: 30_000 }),
        'another instance must not acquire a held lease either',
      ).toBeNull();
      expect(await store.readLease(ns), 'the holder must keep its lease (same id and fence)').toMatchObject({
        id: holder.id,
        fence: holder.fence,
      });
    });

    it('leases of different namespaces are independent', async (h) => {
      const store = await h.store();
      await mustAcquire(store, randomNamespace());
      expect(
        await store.acquireLease(randomNamespace(), { ttlMs: 30_000 }),
        "a lease held in one namespace must not block another namespace's",
      ).not.toBeNull();
    });

    it(
      'fences strictly increase across grants, after release and after expiry',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const first = await mustAcquire(store, ns);
        expect(await store.releaseLease(ns, first), 'the owner must be able to release its lease').toBe(true);
        const second = await mustAcquire(await h.peer(), ns, shortLeaseMs);
        await expired(store, ns);
        const third = await mustAcquire(store, ns);

        expect(
          second.fence,
          "a grant after release must carry a fence strictly above every earlier grant's",
        ).toBeGreaterThan(first.fence);
        expect(
          third.fence,
          "a grant after expiry must carry a fence strictly above every earlier grant's",
        ).toBeGreaterThan(second.fence);
        expect(new Set([first.id, second.id, third.id]).size, 'every grant must get a new lease id').toBe(3);
      },
      expiryWaitMs,
    );

    it('releaseLease by a non-owner returns false and the lease stays held', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const holder = await mustAcquire(store, ns);

      expect(
        await store.releaseLease(ns, { ...holder, id: crypto.randomUUID() }),
        'releaseLease by a non-owner must return false',
      ).toBe(false);
      expect(
        await store.acquireLease(ns, { ttlMs: 30_000 }),
        'a non-owner release must leave the lease held',
      ).toBeNull();
      expect(
        await store.readLease(ns),
        'the holder must keep its lease after a non-owner release',
      ).toMatchObject({ id: holder.id, fence: holder.fence });
    });

    it('releaseLease by the owner frees the lease once; a second release returns false', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const holder = await mustAcquire(store, ns);

      expect(await store.releaseLease(ns, holder), 'releaseLease by the owner must return true').toBe(true);
      expect(await store.readLease(ns), 'a released lease must read as free').toBeNull();
      expect(
        await store.releaseLease(ns, holder),
        'a second release must return false (the lease is no longer owned)',
      ).toBe(false);
      expect(
        await store.acquireLease(ns, { ttlMs: 30_000 }),
        'a released lease must be acquirable again',
      ).not.toBeNull();
    });

    it('extendLease by the owner keeps id and fence and moves expiresAt later', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const holder = await mustAcquire(store, ns, 10_000);
      const ttlMs = 50_000;
      const reading = await betweenClockReadings(settings, store, () => store.extendLease(ns, holder, ttlMs));
      const extended = reading.value;

      expect(extended, 'extendLease by the owner of a live lease must succeed').not.toBeNull();
      expect(extended, 'extendLease must keep the lease id and fence').toMatchObject({
        id: holder.id,
        fence: holder.fence,
      });
      expect(extended!.expiresAt, 'extendLease must move expiresAt later').toBeGreaterThan(holder.expiresAt);
      expectBetween(
        settings,
        extended!.expiresAt,
        { before: reading.before + ttlMs, after: reading.after + ttlMs },
        'extended lease.expiresAt',
      );
      expect(
        (await store.readLease(ns))?.expiresAt,
        'readLease must show the extended expiry',
      ).toBeGreaterThan(holder.expiresAt);
    });

    it('extendLease by a non-owner or after release returns null', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const holder = await mustAcquire(store, ns);

      expect(
        await store.extendLease(ns, { ...holder, id: crypto.randomUUID() }, 30_000),
        'extendLease by a non-owner must return null',
      ).toBeNull();
      expect(await store.releaseLease(ns, holder), 'the owner must be able to release its lease').toBe(true);
      expect(
        await store.extendLease(ns, holder, 30_000),
        'extendLease after release must return null',
      ).toBeNull();
      expect(await store.readLease(ns), 'extendLease after release must not revive the lease').toBeNull();
    });

    it(
      'extendLease after the lease expired returns null and does not revive it',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const holder = await mustAcquire(store, ns, shortLeaseMs);
        await expired(store, ns);

        expect(
          await store.extendLease(ns, holder, 30_000),
          'extendLease after expiry must return null',
        ).toBeNull();
        expect(await store.readLease(ns), 'extendLease after expiry must not revive the lease').toBeNull();
        expect(
          await store.acquireLease(ns, { ttlMs: 30_000 }),
          'an expired lease must be acquirable again',
        ).not.toBeNull();
      },
      expiryWaitMs,
    );

    it(
      'a lease whose holder crashed (never released) expires after its ttl and can be re-acquired',
      async (h) => {
        const ns = randomNamespace();
        const crashed = await mustAcquire(await h.store(), ns, shortLeaseMs);
        const survivor = await h.peer();
        expect(
          await survivor.acquireLease(ns, { ttlMs: 30_000 }),
          "a crashed holder's lease must exclude others until its ttl ends",
        ).toBeNull();

        const takeover = await eventually(
          () => survivor.acquireLease(ns, { ttlMs: 30_000 }),
          (lease) => lease !== null,
          { timeoutMs: expiryWaitMs, description: 'the crashed holder’s lease expired' },
        );
        expect(
          takeover!.fence,
          "a takeover must carry a fence strictly above the crashed holder's",
        ).toBeGreaterThan(crashed.fence);
      },
      expiryWaitMs,
    );

    it('readLease shows the current holder and null when nobody holds the lease', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      expect(await store.readLease(ns), 'readLease on a free namespace must return null').toBeNull();
      const holder = await mustAcquire(store, ns);

      const seen = await (await h.peer()).readLease(ns);
      expect(
        seen,
        'readLease must show the current holder (id and fence), also on another instance',
      ).toMatchObject({ id: holder.id, fence: holder.fence });
      expect(
        Math.abs(seen!.expiresAt - holder.expiresAt),
        "readLease must report the holder's expiresAt",
      ).toBeLessThanOrEqual(settings.clockToleranceMs + 1);
    });

    it(`${CONTENDERS} concurrent acquireLease calls on one instance: exactly one wins`, async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const results = await Promise.all(
        Array.from({ length: CONTENDERS }, () => store.acquireLease(ns, { ttlMs: 30_000 })),
      );

      const won = winners(results);
      expect(won, 'concurrent acquireLease calls must grant exactly one lease').toHaveLength(1);
      expect(await store.readLease(ns), 'the stored lease must be the one winner').toMatchObject({
        id: won[0]!.id,
        fence: won[0]!.fence,
      });
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
        expect(
          won,
          'concurrent acquireLease calls across instances must grant exactly one lease',
        ).toHaveLength(1);
        for (const store of stores) {
          expect(await store.readLease(ns), 'every instance must see the one winner').toMatchObject({
            id: won[0]!.id,
            fence: won[0]!.fence,
          });
        }
      });
    }
  });
}
