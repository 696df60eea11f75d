import type { Lease, TokenRecord } from '@connexease-kit/auth-core/store';
import { describe, expect, test } from 'vitest';
import { createMemoryTokenStore } from '../src/index.ts';

function manualClock(start = 1_700_000_000_000): { now(): number; advance(ms: number): void } {
  let time = start;
  return {
    now: () => time,
    advance: (ms) => {
      time += ms;
    },
  };
}

function tokenFor(lease: Lease, expiresAt: number, value = 'jwt-a'): TokenRecord {
  return { value, expiresAt, issuedAt: expiresAt - 1000, fence: lease.fence };
}

describe('a memory store on an injected clock', () => {
  test('a token is readable until the clock reaches expiresAt, then gone', async () => {
    const clock = manualClock();
    const store = createMemoryTokenStore({ clock });
    const lease = (await store.acquireLease('ns', { ttlMs: 60_000 }))!;
    const record = tokenFor(lease, clock.now() + 10_000);
    expect(await store.writeToken('ns', lease, record)).toBe(true);

    clock.advance(9_999);
    expect(await store.readToken('ns')).toEqual(record);
    clock.advance(1);
    expect(await store.readToken('ns')).toBeNull();
    await store.close();
  });

  test('a lease lapses exactly at expiresAt on the injected clock and the next grant has a higher fence', async () => {
    const clock = manualClock();
    const store = createMemoryTokenStore({ clock });
    const first = (await store.acquireLease('ns', { ttlMs: 5_000 }))!;
    expect(first.expiresAt).toBe(clock.now() + 5_000);

    clock.advance(4_999);
    expect(await store.acquireLease('ns', { ttlMs: 5_000 })).toBeNull();
    clock.advance(1);
    const second = (await store.acquireLease('ns', { ttlMs: 5_000 }))!;
    expect(second.fence).toBeGreaterThan(first.fence);
    expect(await store.writeToken('ns', first, tokenFor(first, clock.now() + 1_000))).toBe(false);
    await store.close();
  });

  test('the quota window slides with the injected clock', async () => {
    const clock = manualClock();
    const store = createMemoryTokenStore({ clock });
    const windowMs = 24 * 60 * 60 * 1000;
    const start = clock.now();
    const lease = (await store.acquireLease('ns', { ttlMs: 2 * windowMs }))!;
    const request = { limit: 2, windowMs, lease };
    expect(await store.reserveIssue('ns', { id: 'a', ...request })).toMatchObject({ granted: true });
    clock.advance(60 * 60 * 1000);
    expect(await store.reserveIssue('ns', { id: 'b', ...request })).toMatchObject({ granted: true });

    expect(await store.reserveIssue('ns', { id: 'c', ...request })).toMatchObject({
      granted: false,
      used: 2,
      limit: 2,
      retryAt: start + windowMs,
    });

    clock.advance(start + windowMs - 1 - clock.now());
    expect((await store.reserveIssue('ns', { id: 'c', ...request })).granted).toBe(false);
    clock.advance(1);
    expect(await store.reserveIssue('ns', { id: 'c', ...request })).toMatchObject({
      granted: true,
      used: 2,
      limit: 2,
    });
    expect(await store.quotaUsage('ns', { windowMs })).toMatchObject({
      used: 2,
      reservedAt: [start + 60 * 60 * 1000, start + windowMs],
      now: start + windowMs,
    });
    await store.close();
  });

  test('a block with a ttl lifts when the injected clock passes it; one without stays', async () => {
    const clock = manualClock();
    const store = createMemoryTokenStore({ clock });
    const block = {
      code: 'INVALID_CREDENTIALS' as const,
      status: 401,
      reason: 'nope',
      createdAt: clock.now(),
    };
    await store.writeBlock('timed', block, 1_000);
    await store.writeBlock('until-cleared', { ...block, code: 'AGENT_BANNED', status: 403 });

    clock.advance(1_000);
    expect(await store.readBlock('timed')).toBeNull();
    expect(await store.readBlock('until-cleared')).toMatchObject({ code: 'AGENT_BANNED' });
    await store.close();
  });

  test('inspectTtls reports every record with its remaining time on the injected clock', async () => {
    const clock = manualClock();
    const store = createMemoryTokenStore({ clock, blockSafetyTtlMs: 90_000, fenceRetentionMs: 50_000 });
    const lease = (await store.acquireLease('ns', { ttlMs: 30_000 }))!;
    await store.writeToken('ns', lease, tokenFor(lease, clock.now() + 40_000));
    await store.reserveIssue('ns', { id: 'r', limit: 5, windowMs: 20_000, lease });
    await store.writeBlock('ns', { code: 'AGENT_BANNED', status: 403, reason: 'banned', createdAt: 0 });
    clock.advance(10_000);

    expect(new Map(store.inspectTtls('ns').map(({ key, ttlMs }) => [key, ttlMs]))).toEqual(
      new Map([
        ['token', 30_000],
        ['lease', 20_000],
        ['block', 80_000],
        ['quota', 10_000],
        ['epoch', 40_000],
        ['fence', 80_000],
      ]),
    );
    expect(store.debugTtls('ns'), 'the deprecated debugTtls answers exactly as inspectTtls').toEqual(
      store.inspectTtls('ns'),
    );
    await store.close();
  });
});
