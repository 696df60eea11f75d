import type { TokenStore } from '@connexease-kit/auth-core';
import { describe, expect } from 'vitest';
import { mustAcquire, tokenRecord } from '../fixtures.ts';
import type { SuiteContext } from '../harness.ts';
import { randomNamespace } from '../random-namespace.ts';

/** discardToken: deletes only the value the caller saw rejected. */
export function describeCompareAndDelete<S extends TokenStore>({ it }: SuiteContext<S>): void {
  describe('compare-and-delete', () => {
    it('discardToken with the current value deletes the token and returns true', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const record = tokenRecord(lease);
      await store.writeToken(ns, lease, record);

      expect(
        await store.discardToken(ns, record.value),
        'discardToken with the current value must delete and return true',
      ).toBe(true);
      expect(await store.readToken(ns), 'a discarded token must no longer read').toBeNull();
    });

    it('discardToken with another value returns false and the current token stays', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const rejected = tokenRecord(lease);
      await store.writeToken(ns, lease, rejected);
      const current = tokenRecord(lease);
      await store.writeToken(ns, lease, current);

      expect(
        await store.discardToken(ns, rejected.value),
        'discardToken with a value that is no longer current must return false',
      ).toBe(false);
      expect(
        await store.readToken(ns),
        'discardToken must never delete a token of another value (compare-and-delete)',
      ).toEqual(current);
    });

    it('discardToken on an empty namespace returns false', async (h) => {
      const store = await h.store();
      expect(
        await store.discardToken(randomNamespace(), 'conformance.absent.jwt'),
        'discardToken with nothing stored must return false',
      ).toBe(false);
    });
  });
}
