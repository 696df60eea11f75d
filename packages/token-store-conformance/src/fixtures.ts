import type { TokenStore } from '@connexease-kit/auth-core';
import type { BlockRecord, Lease, TokenRecord } from '@connexease-kit/auth-core/store';
import { expect } from 'vitest';
import type { ResolvedConformance } from './options.ts';
import { randomNamespace } from './random-namespace.ts';

const HOUR_MS = 60 * 60 * 1000;

/** A lease TTL no test outlives, for leases that must stay held. */
export const HELD_LEASE_TTL_MS = 60_000;

/** A token record as the provider would write it under `lease`. Values are unique per call. */
export function tokenRecord(
  lease: Lease,
  options: { expiresInMs?: number; value?: string } = {},
): TokenRecord {
  const now = Date.now();
  return {
    value: options.value ?? `conformance.${crypto.randomUUID()}.jwt`,
    issuedAt: now,
    expiresAt: now + (options.expiresInMs ?? 24 * HOUR_MS),
    fence: lease.fence,
  };
}

/** A 401 block with every optional field set. */
export function invalidCredentialsBlock(): BlockRecord {
  const now = Date.now();
  return {
    code: 'INVALID_CREDENTIALS',
    status: 401,
    reason: 'Unable to log in with provided credentials.',
    createdAt: now,
    until: now + HOUR_MS,
    fingerprint: `hmac-sha256:${crypto.randomUUID()}`,
  };
}

/** A ban block: no `until`, no fingerprint. */
export function bannedBlock(): BlockRecord {
  return { code: 'AGENT_BANNED', status: 403, reason: 'Agent is banned.', createdAt: Date.now() };
}

/** Acquires a lease that must be free, failing the test if it is not. */
export async function mustAcquire(
  store: TokenStore,
  ns: string,
  ttlMs: number = HELD_LEASE_TTL_MS,
): Promise<Lease> {
  const lease = await store.acquireLease(ns, { ttlMs });
  expect(lease, `acquireLease(${ns}) on a free lease`).not.toBeNull();
  return lease!;
}

/**
 * The time on the clock that decides leases and quota: `Date.now()` for `'local'` stores, the store's
 * own clock (read through `quotaUsage().now` on an unused namespace) for `'store'` stores.
 */
export async function referenceNow<S extends TokenStore>(
  settings: ResolvedConformance<S>,
  store: TokenStore,
): Promise<number> {
  if (settings.clock === 'local') return Date.now();
  return (await store.quotaUsage(randomNamespace(), { windowMs: 1000 })).now;
}

/** Runs `action` between two readings of the reference clock. */
export async function betweenClockReadings<S extends TokenStore, T>(
  settings: ResolvedConformance<S>,
  store: TokenStore,
  action: () => Promise<T>,
): Promise<{ value: T; before: number; after: number }> {
  const before = await referenceNow(settings, store);
  const value = await action();
  const after = await referenceNow(settings, store);
  return { value, before, after };
}

/** Asserts `time` fell between two clock readings, widened by the clock tolerance. */
export function expectBetween<S extends TokenStore>(
  settings: ResolvedConformance<S>,
  time: number,
  { before, after }: { before: number; after: number },
  what: string,
): void {
  expect(time, what).toBeGreaterThanOrEqual(before - settings.clockToleranceMs);
  expect(time, what).toBeLessThanOrEqual(after + settings.clockToleranceMs);
}
