import type { TokenStore } from '@connexease-kit/auth-core';
import type { TokenRecord } from '@connexease-kit/auth-core/store';
import { expect } from 'vitest';

const DAY_MS = 24 * 60 * 60 * 1000;

/** A token record as the provider writes it. */
export function sampleRecord(fence: number, value = `eyJ.${crypto.randomUUID()}.sig`): TokenRecord {
  const now = Date.now();
  return { value, issuedAt: now, expiresAt: now + 60 * 60 * 1000, fence };
}

/**
 * Calls every `TokenStore` operation on `ns` and checks each answer, leaving a token, a held lease,
 * one reservation and a ban block behind (so callers can inspect the keys). Returns the token.
 */
export async function exerciseEveryOperation(store: TokenStore, ns: string): Promise<TokenRecord> {
  expect(await store.readToken(ns)).toBeNull();
  const lease = await store.acquireLease(ns, { ttlMs: 30_000 });
  expect(lease).not.toBeNull();
  expect(await store.readLease(ns)).toMatchObject({ id: lease!.id, fence: lease!.fence });
  const extended = await store.extendLease(ns, lease!, 60_000);
  expect(extended).toMatchObject({ id: lease!.id, fence: lease!.fence });

  const first = sampleRecord(lease!.fence);
  expect(await store.writeToken(ns, lease!, first)).toBe(true);
  expect(await store.waitForToken(ns, { known: null, timeoutMs: 5000 })).toEqual(first);
  expect(await store.discardToken(ns, first.value)).toBe(true);
  const token = sampleRecord(lease!.fence);
  expect(await store.writeToken(ns, lease!, token)).toBe(true);
  expect(await store.readToken(ns)).toEqual(token);

  const request = { id: 'exercise-1', limit: 5, windowMs: DAY_MS, lease: lease! };
  expect(await store.reserveIssue(ns, request)).toMatchObject({
    granted: true,
    used: 1,
  });
  expect((await store.quotaUsage(ns, { windowMs: DAY_MS })).used).toBe(1);

  await store.writeBlock(
    ns,
    { code: 'INVALID_CREDENTIALS', status: 401, reason: 'bad', createdAt: 1 },
    60_000,
  );
  await store.clearBlock(ns);
  expect(await store.readBlock(ns)).toBeNull();
  await store.writeBlock(ns, { code: 'AGENT_BANNED', status: 403, reason: 'banned', createdAt: 2 });
  expect(await store.readBlock(ns)).toMatchObject({ code: 'AGENT_BANNED' });

  expect(await store.releaseLease(ns, lease!)).toBe(true);
  const next = await store.acquireLease(ns, { ttlMs: 30_000 });
  expect(next?.fence).toBeGreaterThan(lease!.fence);
  return token;
}
