import { isConnexeaseAuthError, type TokenStore } from '@connexease-kit/auth-core';
import { describe, expect } from 'vitest';
import { mustAcquire, tokenRecord } from '../fixtures.ts';
import type { SuiteContext } from '../harness.ts';
import { randomNamespace } from '../random-namespace.ts';
import { eventually } from '../timing.ts';

/** readToken / writeToken: records, expiry, lease ownership and fencing. */
export function describeTokens<S extends TokenStore>({ it, settings }: SuiteContext<S>): void {
  const shortLeaseMs = 300;
  const expiryWaitMs = shortLeaseMs + settings.expiryGraceMs;

  describe('tokens', () => {
    it('readToken on an empty namespace returns null', async (h) => {
      const store = await h.store();
      expect(
        await store.readToken(randomNamespace()),
        'readToken on a namespace never written must return null',
      ).toBeNull();
    });

    it('writeToken under a held lease stores the record and readToken returns it unchanged', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const record = tokenRecord(lease);

      expect(
        await store.writeToken(ns, lease, record),
        'writeToken under the current lease must succeed',
      ).toBe(true);
      expect(await store.readToken(ns), 'readToken must return the record exactly as written').toEqual(
        record,
      );
    });

    it('a record with unauthorizedRefresh keeps it; a record without it reads back without it', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const spaced = { ...tokenRecord(lease), unauthorizedRefresh: { at: Date.now(), intervalMs: 120_000 } };

      expect(
        await store.writeToken(ns, lease, spaced),
        'writeToken under the current lease must succeed',
      ).toBe(true);
      expect(await store.readToken(ns), 'a record must read back with its unauthorizedRefresh').toEqual(
        spaced,
      );
      expect(
        await (await h.peer()).readToken(ns),
        'another instance must read unauthorizedRefresh too',
      ).toEqual(spaced);

      const plain = tokenRecord(lease);
      expect(await store.writeToken(ns, lease, plain), 'the holder must be able to overwrite its token').toBe(
        true,
      );
      const read = await store.readToken(ns);
      expect(read, 'a record without unauthorizedRefresh must read back as written').toEqual(plain);
      expect(
        read,
        "a record without unauthorizedRefresh must not keep the previous record's",
      ).not.toHaveProperty('unauthorizedRefresh');
    });

    it('a record written on one instance is read on another', async (h) => {
      const ns = randomNamespace();
      const writer = await h.store();
      const lease = await mustAcquire(writer, ns);
      const record = tokenRecord(lease);
      expect(
        await writer.writeToken(ns, lease, record),
        'writeToken under the current lease must succeed',
      ).toBe(true);

      expect(
        await (await h.peer()).readToken(ns),
        'a record written on one instance must read back unchanged on another',
      ).toEqual(record);
    });

    it('the lease holder may overwrite its own token', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      expect(
        await store.writeToken(ns, lease, tokenRecord(lease)),
        'writeToken under the current lease must succeed',
      ).toBe(true);
      const newer = tokenRecord(lease);

      expect(
        await store.writeToken(ns, lease, newer),
        'the lease holder must be able to overwrite its own token',
      ).toBe(true);
      expect(await store.readToken(ns), 'readToken must return the newest record').toEqual(newer);
    });

    it(
      'a token expires at its expiresAt',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const lease = await mustAcquire(store, ns);
        const record = tokenRecord(lease, { expiresInMs: 300 });
        expect(
          await store.writeToken(ns, lease, record),
          'writeToken under the current lease must succeed',
        ).toBe(true);

        await eventually(
          () => store.readToken(ns),
          (current) => current === null,
          { timeoutMs: 300 + settings.expiryGraceMs, description: 'the token record expired' },
        );
      },
      300 + settings.expiryGraceMs,
    );

    it('writeToken with an expiresAt already past never leaves that record readable', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const current = tokenRecord(lease);
      expect(await store.writeToken(ns, lease, current), 'the lease holder writes a live token').toBe(true);
      const expired = { ...tokenRecord(lease), expiresAt: Date.now() - 60_000 - settings.clockToleranceMs };

      // Stores may refuse (false), reject with CONFIG_INVALID, or accept a record that is gone at once.
      const outcome = await store.writeToken(ns, lease, expired).then(
        (written) => ({ written }),
        (error: unknown) => ({ error }),
      );
      if ('error' in outcome) {
        expect(
          isConnexeaseAuthError(outcome.error, 'CONFIG_INVALID'),
          `an already expired record may only be rejected with CONFIG_INVALID, got ${String(outcome.error)}`,
        ).toBe(true);
      }
      const read = await store.readToken(ns);
      expect(read?.value, 'readToken must never return a record whose expiresAt has passed').not.toBe(
        expired.value,
      );
      expect([null, current.value], 'the token left is the live one written before, or none').toContain(
        read?.value ?? null,
      );
    });

    it('writeToken with a released lease returns false and writes nothing', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      expect(await store.releaseLease(ns, lease), 'the owner must be able to release its lease').toBe(true);

      expect(
        await store.writeToken(ns, lease, tokenRecord(lease)),
        'writeToken with a released lease must return false',
      ).toBe(false);
      expect(await store.readToken(ns), 'a refused writeToken must write nothing').toBeNull();
    });

    it(
      'writeToken with an expired lease returns false and writes nothing',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const lease = await mustAcquire(store, ns, shortLeaseMs);
        await eventually(
          () => store.readLease(ns),
          (current) => current === null,
          { timeoutMs: expiryWaitMs, description: 'the lease expired' },
        );

        expect(
          await store.writeToken(ns, lease, tokenRecord(lease)),
          'writeToken with an expired lease must return false',
        ).toBe(false);
        expect(await store.readToken(ns), 'a refused writeToken must write nothing').toBeNull();
      },
      expiryWaitMs,
    );

    it('writeToken with a lease someone else holds (forged id or another namespace) returns false', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const held = await mustAcquire(store, ns);
      const forged = { ...held, id: crypto.randomUUID() };
      const otherNamespace = randomNamespace();
      const elsewhere = await mustAcquire(store, otherNamespace);

      expect(
        await store.writeToken(ns, forged, tokenRecord(forged)),
        'writeToken with a lease id that is not the holder must return false',
      ).toBe(false);
      expect(
        await store.writeToken(ns, elsewhere, tokenRecord(elsewhere)),
        "writeToken with another namespace's lease must return false",
      ).toBe(false);
      expect(await store.readToken(ns), 'a refused writeToken must write nothing').toBeNull();
      expect(
        await store.readLease(ns),
        'a refused writeToken must leave the lease to its holder',
      ).toMatchObject({ id: held.id, fence: held.fence });
    });

    it(
      'fencing: a stale leader whose lease expired cannot overwrite the next leader’s token',
      async (h) => {
        const ns = randomNamespace();
        const staleStore = await h.store();
        const nextStore = await h.peer();
        const stale = await mustAcquire(staleStore, ns, shortLeaseMs);

        const next = await eventually(
          () => nextStore.acquireLease(ns, { ttlMs: 60_000 }),
          (lease) => lease !== null,
          { timeoutMs: expiryWaitMs, description: 'the first lease expired and a second was granted' },
        );
        expect(
          next!.fence,
          "the next leader's fence must be strictly above the stale leader's",
        ).toBeGreaterThan(stale.fence);
        const nextToken = tokenRecord(next!);
        expect(
          await nextStore.writeToken(ns, next!, nextToken),
          'the next leader must be able to write',
        ).toBe(true);

        expect(
          await staleStore.writeToken(ns, stale, tokenRecord(stale)),
          "a stale leader must not overwrite the next leader's token",
        ).toBe(false);
        expect(
          await staleStore.readToken(ns),
          "the next leader's token must survive the stale write",
        ).toEqual(nextToken);

        const newest = tokenRecord(next!);
        expect(await nextStore.writeToken(ns, next!, newest), 'a write with the newest fence').toBe(true);
        expect(await staleStore.readToken(ns), 'every instance must read the newest fence’s token').toEqual(
          newest,
        );
      },
      expiryWaitMs,
    );

    it('successive leaders each write under their own, newer fence', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const first = await mustAcquire(store, ns);
      expect(
        await store.writeToken(ns, first, tokenRecord(first)),
        'the first leader must be able to write',
      ).toBe(true);
      expect(await store.releaseLease(ns, first), 'the owner must be able to release its lease').toBe(true);

      const peer = await h.peer();
      const second = await mustAcquire(peer, ns);
      const secondToken = tokenRecord(second);
      expect(second.fence, "the second leader's fence must be strictly above the first's").toBeGreaterThan(
        first.fence,
      );
      expect(
        await peer.writeToken(ns, second, secondToken),
        'the second leader must be able to write over the older fence’s token',
      ).toBe(true);
      expect(await store.readToken(ns), "every instance must read the second leader's token").toEqual(
        secondToken,
      );
    });
  });
}
