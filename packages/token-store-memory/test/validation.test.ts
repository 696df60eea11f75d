import { inspect } from 'node:util';
import type { Lease, TokenRecord } from '@connexease-kit/auth-core/store';
import { describe, expect, test } from 'vitest';
import { createMemoryTokenStore } from '../src/index.ts';

const SECRET = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.signature';
const invalid = { name: 'ConnexeaseAuthError', code: 'CONFIG_INVALID' };

async function heldLease(): Promise<{ lease: Lease; store: ReturnType<typeof createMemoryTokenStore> }> {
  const store = createMemoryTokenStore();
  const lease = (await store.acquireLease('ns', { ttlMs: 60_000 }))!;
  return { store, lease };
}

describe('bad input gets a typed CONFIG_INVALID error and changes nothing', () => {
  test('an empty or non-string namespace is rejected by every method', async () => {
    const store = createMemoryTokenStore();
    const lease: Lease = { id: 'x', fence: 1, expiresAt: 0 };
    const calls = [
      () => store.readToken(''),
      () => store.discardToken('', 'v'),
      () => store.acquireLease('', { ttlMs: 1000 }),
      () => store.extendLease('', lease, 1000),
      () => store.releaseLease('', lease),
      () => store.readLease(''),
      () => store.reserveIssue('', { id: 'a', limit: 1, windowMs: 1000, lease }),
      () => store.quotaUsage('', { windowMs: 1000 }),
      () => store.readBlock(''),
      () => store.clearBlock(''),
      () => store.waitForToken('', { known: null, timeoutMs: 1000 }),
      () => store.readToken(42 as unknown as string),
    ];
    for (const call of calls) await expect(call()).rejects.toMatchObject(invalid);
    await store.close();
  });

  test('lease and quota parameters must be positive numbers; nothing is granted or reserved', async () => {
    const store = createMemoryTokenStore();
    for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(store.acquireLease('ns', { ttlMs })).rejects.toMatchObject(invalid);
    }
    expect(await store.readLease('ns')).toBeNull();

    const lease = (await store.acquireLease('ns', { ttlMs: 60_000 }))!;
    for (const limit of [0, 1.5, -3]) {
      await expect(store.reserveIssue('ns', { id: 'a', limit, windowMs: 1000, lease })).rejects.toMatchObject(
        invalid,
      );
    }
    await expect(store.reserveIssue('ns', { id: '', limit: 1, windowMs: 1000, lease })).rejects.toMatchObject(
      invalid,
    );
    await expect(store.reserveIssue('ns', { id: 'a', limit: 1, windowMs: 0, lease })).rejects.toMatchObject(
      invalid,
    );
    const noLease = { id: 'a', limit: 1, windowMs: 1000 } as unknown as Parameters<
      typeof store.reserveIssue
    >[1];
    await expect(store.reserveIssue('ns', noLease)).rejects.toMatchObject(invalid);
    const known = [{ id: 'a', at: Number.NaN }];
    await expect(
      store.reserveIssue('ns', { id: 'a', limit: 1, windowMs: 1000, lease, known }),
    ).rejects.toMatchObject(invalid);
    await expect(store.restoreQuota('ns', { windowMs: 1000, known })).rejects.toMatchObject(invalid);
    expect((await store.quotaUsage('ns', { windowMs: 1000 })).used).toBe(0);
    await store.close();
  });

  test('a malformed token record is rejected without echoing the token, and the stored one stays', async () => {
    const { store, lease } = await heldLease();
    const good: TokenRecord = {
      value: 'good',
      expiresAt: Date.now() + 60_000,
      issuedAt: Date.now(),
      fence: lease.fence,
    };
    await store.writeToken('ns', lease, good);

    const error = await store
      .writeToken('ns', lease, { ...good, value: SECRET, expiresAt: Number.NaN })
      .catch((e: unknown) => e);
    expect(error).toMatchObject(invalid);
    expect(String((error as Error).message)).not.toContain(SECRET);
    expect(JSON.stringify(error)).not.toContain(SECRET);
    expect(inspect(error)).not.toContain(SECRET);
    expect(await store.readToken('ns')).toEqual(good);
    await store.close();
  });

  test('a malformed block or lease is rejected', async () => {
    const { store } = await heldLease();
    await expect(
      store.writeBlock('ns', { code: 'AGENT_BANNED', status: 403, reason: 'x', createdAt: Number.NaN }),
    ).rejects.toMatchObject(invalid);
    await expect(
      store.writeBlock('ns', { code: 'AGENT_BANNED', status: 403, reason: 'x', createdAt: 0 }, -5),
    ).rejects.toMatchObject(invalid);
    await expect(store.releaseLease('ns', null as unknown as Lease)).rejects.toMatchObject(invalid);
    expect(await store.readBlock('ns')).toBeNull();
    await store.close();
  });

  test('invalid options are rejected when the store is created', () => {
    expect(() => createMemoryTokenStore({ pollIntervalMs: 0 })).toThrow(expect.objectContaining(invalid));
    expect(() => createMemoryTokenStore({ clock: {} as { now(): number } })).toThrow(
      expect.objectContaining(invalid),
    );
  });
});

describe('records are copies', () => {
  test('mutating a written or returned record never changes the stored one', async () => {
    const { store, lease } = await heldLease();
    const written: TokenRecord = {
      value: 'v1',
      expiresAt: Date.now() + 60_000,
      issuedAt: 1,
      fence: lease.fence,
    };
    await store.writeToken('ns', lease, written);
    written.value = 'mutated-input';
    const read = (await store.readToken('ns'))!;
    read.value = 'mutated-output';
    const granted = (await store.readLease('ns'))!;
    granted.id = 'mutated-lease';

    expect((await store.readToken('ns'))?.value).toBe('v1');
    expect((await store.readLease('ns'))?.id).toBe(lease.id);
    await store.close();
  });
});

describe('lifecycle', () => {
  test('after close every method rejects with STORE_UNAVAILABLE; close stays safe to repeat', async () => {
    const { store, lease } = await heldLease();
    await store.close();
    await store.close();

    const unavailable = { name: 'ConnexeaseAuthError', code: 'STORE_UNAVAILABLE' };
    await expect(store.readToken('ns')).rejects.toMatchObject(unavailable);
    await expect(store.acquireLease('ns', { ttlMs: 1000 })).rejects.toMatchObject(unavailable);
    await expect(store.releaseLease('ns', lease)).rejects.toMatchObject(unavailable);
    await expect(
      store.reserveIssue('ns', { id: 'a', limit: 1, windowMs: 1000, lease }),
    ).rejects.toMatchObject(unavailable);
    await expect(store.waitForToken('ns', { known: null, timeoutMs: 1000 })).rejects.toMatchObject(
      unavailable,
    );
  });
});
