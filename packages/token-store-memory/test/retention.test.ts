import { describe, expect, test } from 'vitest';
import { createMemoryTokenStore, type MemoryTokenStore } from '../src/index.ts';

const HOUR_MS = 60 * 60 * 1000;

function manualClock(): { now(): number; advance(ms: number): void } {
  let time = 1_700_000_000_000;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

function namespaceCount(store: MemoryTokenStore): number {
  return store.namespaceCount;
}

describe('nothing lives forever, not even the fence counter', () => {
  test('the fence counter outlives a released lease for the retention period, then is forgotten', async () => {
    const clock = manualClock();
    const store = createMemoryTokenStore({ clock, fenceRetentionMs: 24 * HOUR_MS });
    const first = (await store.acquireLease('ns', { ttlMs: 1000 }))!;
    await store.releaseLease('ns', first);

    clock.advance(24 * HOUR_MS - 1);
    const second = (await store.acquireLease('ns', { ttlMs: 1000 }))!;
    expect(second.fence).toBe(first.fence + 1);
    await store.releaseLease('ns', second);

    clock.advance(24 * HOUR_MS);
    expect(store.inspectTtls('ns')).toEqual([]);
    expect((await store.acquireLease('ns', { ttlMs: 1000 }))!.fence).toBe(1);
    await store.close();
  });

  test('the fence counter lives as long as a token written under it, so new fences stay above it', async () => {
    const clock = manualClock();
    const store = createMemoryTokenStore({ clock, fenceRetentionMs: HOUR_MS });
    const writer = (await store.acquireLease('ns', { ttlMs: 1000 }))!;
    const token = {
      value: 'jwt',
      issuedAt: clock.now(),
      expiresAt: clock.now() + 24 * HOUR_MS,
      fence: writer.fence,
    };
    await store.writeToken('ns', writer, token);
    await store.releaseLease('ns', writer);

    clock.advance(23 * HOUR_MS);
    const next = (await store.acquireLease('ns', { ttlMs: 1000 }))!;
    expect(next.fence).toBeGreaterThan(token.fence);
    expect(await store.writeToken('ns', next, { ...token, value: 'jwt-2', fence: next.fence })).toBe(true);
    await store.close();
  });

  test('a namespace whose records all expired is dropped from memory', async () => {
    const clock = manualClock();
    const store = createMemoryTokenStore({ clock, fenceRetentionMs: HOUR_MS, blockSafetyTtlMs: 2 * HOUR_MS });
    for (let i = 0; i < 50; i++) {
      const ns = `ns-${i}`;
      const lease = (await store.acquireLease(ns, { ttlMs: 1000 }))!;
      await store.reserveIssue(ns, { id: 'r', limit: 1, windowMs: HOUR_MS, lease });
      await store.writeBlock(ns, { code: 'AGENT_BANNED', status: 403, reason: 'banned', createdAt: 0 });
    }
    expect(namespaceCount(store)).toBe(50);

    clock.advance(2 * HOUR_MS);
    await store.readToken('unrelated');
    expect(namespaceCount(store)).toBe(0);
    await store.close();
  });

  test('reads of empty namespaces do not grow memory', async () => {
    const store = createMemoryTokenStore();
    for (let i = 0; i < 20; i++) {
      await store.readToken(`ns-${i}`);
      await store.quotaUsage(`ns-${i}`, { windowMs: 1000 });
      await store.readLease(`ns-${i}`);
    }
    expect(namespaceCount(store)).toBe(0);
    await store.close();
  });
});
