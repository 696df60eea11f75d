import type { TokenStore } from '@connexease-kit/auth-core';
import { describe, expect } from 'vitest';
import { bannedBlock, invalidCredentialsBlock } from '../fixtures.ts';
import type { SuiteContext } from '../harness.ts';
import { randomNamespace } from '../random-namespace.ts';
import { eventually } from '../timing.ts';

/** readBlock / writeBlock / clearBlock: the fleet-wide stop after a 401 or 403. */
export function describeBlocks<S extends TokenStore>({ it, settings }: SuiteContext<S>): void {
  const blockTtlMs = 300;
  const expiryWaitMs = blockTtlMs + settings.expiryGraceMs;

  describe('blocks', () => {
    it('readBlock on an empty namespace returns null', async (h) => {
      const store = await h.store();
      expect(
        await store.readBlock(randomNamespace()),
        'readBlock on a namespace never blocked must return null',
      ).toBeNull();
    });

    it('every block field round-trips, fingerprint and until included, across instances', async (h) => {
      const ns = randomNamespace();
      const block = invalidCredentialsBlock();
      await (await h.store()).writeBlock(ns, block, 60_000);

      expect(
        await (await h.peer()).readBlock(ns),
        'every block field must round-trip, also on another instance',
      ).toEqual(block);
    });

    it('a block without optional fields round-trips without gaining any', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const block = bannedBlock();
      await store.writeBlock(ns, block);

      const read = await store.readBlock(ns);
      expect(read, 'a block must read back as written').toEqual(block);
      expect(read?.until, 'a block written without until must not gain one').toBeUndefined();
      expect(read?.fingerprint, 'a block written without fingerprint must not gain one').toBeUndefined();
    });

    it(
      'a block with a ttl is gone after the ttl; one without a ttl stays until clearBlock',
      async (h) => {
        const store = await h.store();
        const timed = randomNamespace();
        const untilCleared = randomNamespace();
        await store.writeBlock(timed, invalidCredentialsBlock(), blockTtlMs);
        const ban = bannedBlock();
        await store.writeBlock(untilCleared, ban);

        await eventually(
          () => store.readBlock(timed),
          (block) => block === null,
          { timeoutMs: expiryWaitMs, description: 'the block with a ttl expired' },
        );
        expect(await store.readBlock(untilCleared), 'the block without ttl outlived the timed one').toEqual(
          ban,
        );

        await store.clearBlock(untilCleared);
        expect(
          await store.readBlock(untilCleared),
          'clearBlock must remove a block written without ttl',
        ).toBeNull();
      },
      expiryWaitMs,
    );

    it('writeBlock replaces the previous block', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      await store.writeBlock(ns, invalidCredentialsBlock(), 60_000);
      const ban = bannedBlock();
      await store.writeBlock(ns, ban);

      expect(await store.readBlock(ns), 'writeBlock must replace the previous block').toEqual(ban);
    });

    it('clearBlock removes the block for every instance and is harmless when there is none', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      await store.writeBlock(ns, bannedBlock());

      await (await h.peer()).clearBlock(ns);
      expect(
        await store.readBlock(ns),
        'clearBlock on one instance must remove the block for every instance',
      ).toBeNull();
      await expect(store.clearBlock(ns), 'clearBlock with no block must resolve').resolves.toBeUndefined();
    });

    it('blocks are per namespace', async (h) => {
      const store = await h.store();
      await store.writeBlock(randomNamespace(), bannedBlock());
      expect(
        await store.readBlock(randomNamespace()),
        'a block must not show in another namespace',
      ).toBeNull();
    });
  });
}
