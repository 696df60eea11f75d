import { isConnexeaseAuthError, type TokenStore } from '@connexease-kit/auth-core';
import { describe, expect } from 'vitest';
import type { SuiteContext } from '../harness.ts';
import { randomNamespace } from '../random-namespace.ts';
import { sleep } from '../timing.ts';

/** A wait timeout the test never reaches when close() settles the waiter as it must. */
const PENDING_WAIT_MS = 10_000;

/** close(): resolves, may be called again, and settles every pending waiter. */
export function describeClose<S extends TokenStore>({ it }: SuiteContext<S>): void {
  describe('close', () => {
    it('close resolves, and a second close is safe', async (h) => {
      const store = await h.newStore();
      await store.readToken(randomNamespace());

      await expect(store.close(), 'close() must resolve').resolves.toBeUndefined();
      await expect(
        store.close(),
        'a second close() must resolve too (close is idempotent)',
      ).resolves.toBeUndefined();
    });

    it('calls after close reject with a STORE_UNAVAILABLE ConnexeaseAuthError', async (h) => {
      const store = await h.newStore();
      const ns = randomNamespace();
      await store.readToken(ns);
      await store.close();

      const error = await store.readToken(ns).then(
        () => undefined,
        (failure: unknown) => failure,
      );
      expect(
        isConnexeaseAuthError(error, 'STORE_UNAVAILABLE'),
        `a call on a closed store must reject with a ConnexeaseAuthError of code STORE_UNAVAILABLE, got ${String(error)}`,
      ).toBe(true);
    });

    it('close resolves on a store that was never used', async (h) => {
      const store = await h.newStore();
      await expect(
        store.close(),
        'close() must resolve on a store that never ran a call',
      ).resolves.toBeUndefined();
    });

    it(
      'close rejects a pending waitForToken with a STORE_UNAVAILABLE ConnexeaseAuthError',
      async (h) => {
        const store = await h.newStore();
        const ns = randomNamespace();
        const outcome = store.waitForToken(ns, { known: null, timeoutMs: PENDING_WAIT_MS }).then(
          (record) => ({ settled: 'resolved' as const, record }),
          (error: unknown) => ({ settled: 'rejected' as const, error }),
        );
        // Let the wait subscribe and start its first read, as a waiter of a running service would have.
        await sleep(100);
        await store.close();

        const settled = await outcome;
        expect(
          settled.settled,
          'close() must reject every pending waitForToken (not leave it to its timeout or resolve it)',
        ).toBe('rejected');
        const error = settled.settled === 'rejected' ? settled.error : undefined;
        expect(
          isConnexeaseAuthError(error, 'STORE_UNAVAILABLE'),
          `a waiter pending at close() must reject with a ConnexeaseAuthError of code STORE_UNAVAILABLE, got ${String(error)}`,
        ).toBe(true);
      },
      PENDING_WAIT_MS,
    );
  });
}
