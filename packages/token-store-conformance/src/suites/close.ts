import type { TokenStore } from '@connexease-kit/auth-core';
import { describe, expect } from 'vitest';
import type { SuiteContext } from '../harness.ts';
import { randomNamespace } from '../random-namespace.ts';

/** close(): resolves, and may be called again. */
export function describeClose<S extends TokenStore>({ it }: SuiteContext<S>): void {
  describe('close', () => {
    it('close resolves, and a second close is safe', async (h) => {
      const store = await h.newStore();
      await store.readToken(randomNamespace());

      await expect(store.close()).resolves.toBeUndefined();
      await expect(store.close()).resolves.toBeUndefined();
    });

    it('close resolves on a store that was never used', async (h) => {
      const store = await h.newStore();
      await expect(store.close()).resolves.toBeUndefined();
    });
  });
}
