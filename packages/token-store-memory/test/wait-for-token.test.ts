import type { Lease, TokenRecord } from '@connexease-kit/auth-core/store';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createMemoryTokenStore, type MemoryTokenStore } from '../src/index.ts';

function record(lease: Lease, expiresAt: number, value = 'jwt-1'): TokenRecord {
  return { value, expiresAt, issuedAt: expiresAt - 60_000, fence: lease.fence };
}

async function seeded(
  store: MemoryTokenStore,
  expiresInMs: number,
): Promise<{ lease: Lease; token: TokenRecord }> {
  const lease = (await store.acquireLease('ns', { ttlMs: 10 * 60_000 }))!;
  const token = record(lease, Date.now() + expiresInMs);
  await store.writeToken('ns', lease, token);
  return { lease, token };
}

describe('waitForToken under vitest fake timers', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  test('a waiter learns that the known token expired, though nothing announced it', async () => {
    const store = createMemoryTokenStore({ pollIntervalMs: 60_000 });
    const { token } = await seeded(store, 5_000);
    let result: TokenRecord | null | undefined;
    void store.waitForToken('ns', { known: token, timeoutMs: 10 * 60_000 }).then((r) => {
      result = r;
    });

    await vi.advanceTimersByTimeAsync(4_999);
    expect(result).toBeUndefined();
    await vi.advanceTimersByTimeAsync(2);
    expect(result, 'the waiter looks again just after the known token expires').toBeNull();
    await store.close();
  });

  test('a waiter resolves at its timeout with the current record, and leaves no timer behind', async () => {
    const store = createMemoryTokenStore();
    const { token } = await seeded(store, 60 * 60_000);
    const timersBefore = vi.getTimerCount();
    const waiting = store.waitForToken('ns', { known: token, timeoutMs: 30_000 });
    expect(vi.getTimerCount()).toBeGreaterThan(timersBefore);

    await vi.advanceTimersByTimeAsync(30_000);
    await expect(waiting).resolves.toEqual(token);
    expect(vi.getTimerCount()).toBe(timersBefore);
    await store.close();
  });

  test('a write wakes the waiter at once and cancels its timeout and poll timers', async () => {
    const store = createMemoryTokenStore();
    const { lease, token } = await seeded(store, 60 * 60_000);
    const waiting = store.waitForToken('ns', { known: token, timeoutMs: 30_000 });
    const next = record(lease, Date.now() + 60 * 60_000, 'jwt-2');

    await store.writeToken('ns', lease, next);
    await expect(waiting).resolves.toEqual(next);
    expect(vi.getTimerCount()).toBe(0);
    await store.close();
  });

  test('an abort rejects with ABORTED and cancels the timers', async () => {
    const store = createMemoryTokenStore();
    const controller = new AbortController();
    const waiting = store.waitForToken('ns', { known: null, timeoutMs: 30_000, signal: controller.signal });

    controller.abort(new Error('shutting down'));
    await expect(waiting).rejects.toMatchObject({ name: 'ConnexeaseAuthError', code: 'ABORTED' });
    expect(vi.getTimerCount()).toBe(0);
    await store.close();
  });

  test('an unbounded timeout waits instead of firing at once', async () => {
    const store = createMemoryTokenStore({ pollIntervalMs: 60_000 });
    let settled = false;
    const waiting = store.waitForToken('ns', { known: null, timeoutMs: Number.POSITIVE_INFINITY });
    waiting.then(
      () => {
        settled = true;
      },
      () => {
        settled = true;
      },
    );

    await vi.advanceTimersByTimeAsync(24 * 60 * 60_000);
    expect(settled).toBe(false);
    await store.close();
    await expect(waiting).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });
});

describe('waitForToken and close', () => {
  test('close rejects pending waiters with STORE_UNAVAILABLE', async () => {
    const store = createMemoryTokenStore();
    const waiting = store.waitForToken('ns', { known: null, timeoutMs: 60_000 });

    await store.close();
    await expect(waiting).rejects.toMatchObject({ name: 'ConnexeaseAuthError', code: 'STORE_UNAVAILABLE' });
  });

  test('a waiter sees the record written in the same tick it subscribed (no lost wake-up)', async () => {
    const store = createMemoryTokenStore();
    const lease = (await store.acquireLease('ns', { ttlMs: 60_000 }))!;
    const token = record(lease, Date.now() + 60_000);
    const waiting = store.waitForToken('ns', { known: null, timeoutMs: 60_000 });
    const written = store.writeToken('ns', lease, token);

    await expect(written).resolves.toBe(true);
    await expect(waiting).resolves.toEqual(token);
    await store.close();
  });
});
