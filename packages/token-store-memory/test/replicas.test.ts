import type { TokenRecord } from '@connexease-kit/auth-core/store';
import { describe, expect, test } from 'vitest';
import { createMemoryTokenStore, type MemoryTokenStore } from '../src/index.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The provider's protocol in miniature: reuse a stored token, else win the lease, re-read, reserve,
 * "issue" and write; losers wait for the winner's token. `issue` counts the POST /jwt/ calls.
 */
async function replica(store: MemoryTokenStore, ns: string, issue: () => string): Promise<TokenRecord> {
  for (;;) {
    const stored = await store.readToken(ns);
    if (stored !== null) return stored;
    const lease = await store.acquireLease(ns, { ttlMs: 30_000 });
    if (lease === null) {
      await store.waitForToken(ns, { known: null, timeoutMs: 5_000 });
      continue;
    }
    try {
      const raced = await store.readToken(ns);
      if (raced !== null) return raced;
      const reservation = await store.reserveIssue(ns, {
        id: crypto.randomUUID(),
        limit: 25,
        windowMs: DAY_MS,
        lease,
      });
      if (!reservation.granted) throw new Error('quota exhausted');
      const now = Date.now();
      const token = { value: issue(), issuedAt: now, expiresAt: now + DAY_MS, fence: lease.fence };
      if (!(await store.writeToken(ns, lease, token))) throw new Error('lost the lease');
      return token;
    } finally {
      await store.releaseLease(ns, lease);
    }
  }
}

describe('one memory store shared by many replicas in one process', () => {
  test('12 replicas starting together, then restarting twice, issue exactly one token', async () => {
    const store = createMemoryTokenStore();
    let issued = 0;
    const issue = (): string => `jwt-${++issued}`;

    for (let restart = 0; restart < 3; restart++) {
      const tokens = await Promise.all(Array.from({ length: 12 }, () => replica(store, 'fleet', issue)));
      expect(new Set(tokens.map((token) => token.value))).toEqual(new Set(['jwt-1']));
    }
    expect(issued).toBe(1);
    expect((await store.quotaUsage('fleet', { windowMs: DAY_MS })).used).toBe(1);
    await store.close();
  });

  test('replicas of different API users share the store but never a token or a quota', async () => {
    const store = createMemoryTokenStore();
    let issued = 0;
    const issue = (): string => `jwt-${++issued}`;

    const [alice, bob] = await Promise.all([
      Promise.all(Array.from({ length: 6 }, () => replica(store, 'alice', issue))),
      Promise.all(Array.from({ length: 6 }, () => replica(store, 'bob', issue))),
    ]);

    expect(new Set(alice.map((t) => t.value)).size).toBe(1);
    expect(new Set(bob.map((t) => t.value)).size).toBe(1);
    expect(alice[0]!.value).not.toBe(bob[0]!.value);
    expect((await store.quotaUsage('alice', { windowMs: DAY_MS })).used).toBe(1);
    expect((await store.quotaUsage('bob', { windowMs: DAY_MS })).used).toBe(1);
    await store.close();
  });

  test('a quota shared by replicas never overshoots: 60 racing reservations, limit 25', async () => {
    const store = createMemoryTokenStore();
    const lease = (await store.acquireLease('fleet', { ttlMs: 60_000 }))!;
    const decisions = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        store.reserveIssue('fleet', { id: `r${i}`, limit: 25, windowMs: DAY_MS, lease }),
      ),
    );

    expect(decisions.filter((d) => d.granted)).toHaveLength(25);
    expect((await store.quotaUsage('fleet', { windowMs: DAY_MS })).used).toBe(25);
    await store.close();
  });
});
