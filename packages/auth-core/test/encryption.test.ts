import { randomBytes } from 'node:crypto';
import { type AuthEvent, createEncryptedTokenStore } from '@connexease-kit/auth-core';
import type { Lease, TokenRecord } from '@connexease-kit/auth-core/store';
import { isHeaderSafeToken } from '@connexease-kit/auth-core/transport';
import { describe, expect, test } from 'vitest';
import { catchAuthError } from './support/errors.ts';
import { connexeaseJwt } from './support/jwt.ts';
import { createMapTokenStore } from './support/map-token-store.ts';

const KEY = new Uint8Array(randomBytes(32));
const OTHER_KEY = new Uint8Array(randomBytes(32));
const NS = 'a'.repeat(32);
const token = connexeaseJwt(1_767_225_600);
const record: TokenRecord = { value: token, issuedAt: 1000, expiresAt: 2000, fence: 0 };

async function setup(key: string | Uint8Array = KEY) {
  const inner = createMapTokenStore();
  const events: AuthEvent[] = [];
  const store = createEncryptedTokenStore(inner, { key, onEvent: (event) => events.push(event) });
  return { inner, store, events };
}

async function write(
  store: ReturnType<typeof createMapTokenStore> | Awaited<ReturnType<typeof setup>>['store'],
  ns: string,
  value = token,
) {
  const lease = (await store.acquireLease(ns, { ttlMs: 60_000 })) as Lease;
  expect(await store.writeToken(ns, lease, { ...record, value, fence: lease.fence })).toBe(true);
  await store.releaseLease(ns, lease);
  return lease.fence;
}

describe('createEncryptedTokenStore', () => {
  test('round-trips a token and stores only a header-safe versioned envelope', async () => {
    const { inner, store, events } = await setup();
    const fence = await write(store, NS);
    const stored = inner.raw.get(NS)!;
    expect(stored.value).toMatch(/^cxk1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(isHeaderSafeToken(stored.value)).toBe(true);
    expect(stored.value).not.toContain(token.split('.')[1]);
    expect(stored).toMatchObject({ issuedAt: 1000, expiresAt: 2000, fence });
    expect(await store.readToken(NS)).toEqual({ ...record, fence });
    expect(events).toEqual([]);
  });

  test('uses a fresh IV for every write', async () => {
    const { inner, store } = await setup();
    await write(store, NS);
    const first = inner.raw.get(NS)!.value;
    await write(store, NS);
    expect(inner.raw.get(NS)!.value).not.toBe(first);
  });

  test('accepts the key as base64, base64url or hex text', async () => {
    const keys = [
      Buffer.from(KEY).toString('base64'),
      Buffer.from(KEY).toString('base64url'),
      Buffer.from(KEY).toString('hex'),
      `${Buffer.from(KEY).toString('base64')}\n`,
    ];
    const { inner, store } = await setup(KEY);
    await write(store, NS);
    for (const key of keys) {
      const reader = createEncryptedTokenStore(inner, { key });
      expect((await reader.readToken(NS))?.value).toBe(token);
    }
  });

  test.each([
    ['16 raw bytes', new Uint8Array(16), /has 16 bytes/],
    ['a short base64 key', Buffer.alloc(16).toString('base64'), /decodes to 16 bytes/],
    ['a passphrase', 'correct horse battery staple', /neither base64 nor hex/],
    ['an empty string', '', /key is required/],
    ['a number', 42, /key is required/],
  ])('rejects %s with CONFIG_INVALID explaining how to generate a key', (_, key, message) => {
    const error = catchAuthError(() =>
      createEncryptedTokenStore(createMapTokenStore(), { key: key as string }),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(message);
    expect(error.message).toContain('openssl rand -base64 32');
  });

  test('a value written with another key reads as a cache miss plus a wrong-key event', async () => {
    const { inner, store } = await setup(OTHER_KEY);
    await write(store, NS);
    const events: AuthEvent[] = [];
    const reader = createEncryptedTokenStore(inner, { key: KEY, onEvent: (event) => events.push(event) });
    expect(await reader.readToken(NS)).toBeNull();
    expect(events).toEqual([{ type: 'encryption-mismatch', ns: NS, reason: 'wrong-key' }]);
  });

  test('a plaintext value reads as a cache miss plus a plaintext event', async () => {
    const { inner, store, events } = await setup();
    await write(inner, NS);
    expect(await store.readToken(NS)).toBeNull();
    expect(events).toEqual([{ type: 'encryption-mismatch', ns: NS, reason: 'plaintext' }]);
  });

  test('a value copied to another namespace does not decrypt', async () => {
    const { inner, store, events } = await setup();
    await write(store, NS);
    const other = 'b'.repeat(32);
    inner.raw.set(other, { ...inner.raw.get(NS)! });
    expect(await store.readToken(other)).toBeNull();
    expect(events).toEqual([{ type: 'encryption-mismatch', ns: other, reason: 'corrupt' }]);
  });

  test.each([
    [
      'a flipped ciphertext character',
      (value: string) => value.slice(0, -3) + (value.at(-3) === 'A' ? 'B' : 'A') + value.slice(-2),
    ],
    ['a truncated envelope', (value: string) => value.slice(0, 30)],
    ['an extra segment', (value: string) => `${value}.x`],
    ['a bad base64url IV', (value: string) => value.replace(/^(cxk1\.[^.]+\.)[^.]+/, '$1***')],
  ])('%s reads as a cache miss plus an event, never a crash', async (_, tamper) => {
    const { inner, store, events } = await setup();
    await write(store, NS);
    const stored = inner.raw.get(NS)!;
    inner.raw.set(NS, { ...stored, value: tamper(stored.value) });
    expect(await store.readToken(NS)).toBeNull();
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ type: 'encryption-mismatch', ns: NS });
  });

  test('a throwing event listener does not turn a cache miss into a crash', async () => {
    const inner = createMapTokenStore();
    await write(inner, NS);
    const store = createEncryptedTokenStore(inner, {
      key: KEY,
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    expect(await store.readToken(NS)).toBeNull();
  });

  test('discardToken is compare-and-delete on the plaintext value', async () => {
    const { inner, store } = await setup();
    await write(store, NS);
    expect(await store.discardToken(NS, 'some-other-token')).toBe(false);
    expect(inner.raw.has(NS)).toBe(true);
    expect(await store.discardToken(NS, inner.raw.get(NS)!.value)).toBe(false);
    expect(inner.raw.has(NS)).toBe(true);
    expect(await store.discardToken(NS, token)).toBe(true);
    expect(inner.raw.has(NS)).toBe(false);
    expect(await store.discardToken(NS, token)).toBe(false);
  });

  test('discardToken can remove a plaintext value left from before encryption', async () => {
    const { inner, store } = await setup();
    await write(inner, NS);
    expect(await store.discardToken(NS, 'other')).toBe(false);
    expect(await store.discardToken(NS, token)).toBe(true);
    expect(inner.raw.has(NS)).toBe(false);
  });

  test('discardToken refuses when the record changed after it was read (inner compare-and-delete)', async () => {
    const { inner, store } = await setup();
    await write(store, NS);
    const originalRead = inner.readToken.bind(inner);
    inner.readToken = async (ns) => {
      const current = await originalRead(ns);
      await write(store, NS, 'a-newer-token'); // another replica refreshes in between
      return current;
    };
    expect(await store.discardToken(NS, token)).toBe(false);
    inner.readToken = originalRead;
    expect((await store.readToken(NS))?.value).toBe('a-newer-token');
  });

  describe('waitForToken', () => {
    test('resolves at once when the stored token differs from what the caller knows', async () => {
      const { store } = await setup();
      await write(store, NS);
      const known = await store.readToken(NS);
      await write(store, NS, 'newer');
      const result = await store.waitForToken(NS, { known, timeoutMs: 60_000 });
      expect(result?.value).toBe('newer');
    });

    test('waits while the stored ciphertext decrypts to what the caller knows, and wakes on a write', async () => {
      const { store } = await setup();
      await write(store, NS);
      const known = await store.readToken(NS);
      const waiting = store.waitForToken(NS, { known, timeoutMs: 60_000 });
      let settled = false;
      void waiting.then(() => {
        settled = true;
      });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(settled).toBe(false);
      await write(store, NS, 'after-wait');
      expect((await waiting)?.value).toBe('after-wait');
    });

    test('returns the unchanged token when the time is up', async () => {
      const { store } = await setup();
      await write(store, NS);
      const known = await store.readToken(NS);
      expect(await store.waitForToken(NS, { known, timeoutMs: 10 })).toEqual(known);
    });

    test('a caller who knows nothing waits past an undecryptable value until a readable one arrives', async () => {
      const { inner, store, events } = await setup();
      await write(inner, NS, 'plaintext-from-an-old-replica');
      const waiting = store.waitForToken(NS, { known: null, timeoutMs: 60_000 });
      await new Promise((resolve) => setTimeout(resolve, 20));
      await write(store, NS, 'encrypted');
      expect((await waiting)?.value).toBe('encrypted');
      expect(events.every((event) => event.type === 'encryption-mismatch')).toBe(true);
    });

    test('an undecryptable value with nothing known times out as null', async () => {
      const { inner, store } = await setup();
      await write(inner, NS, 'plaintext');
      expect(await store.waitForToken(NS, { known: null, timeoutMs: 10 })).toBeNull();
    });

    test('a known token replaced by an undecryptable one is reported as gone (null)', async () => {
      const { inner, store } = await setup();
      await write(store, NS);
      const known = await store.readToken(NS);
      await write(inner, NS, 'plaintext');
      expect(await store.waitForToken(NS, { known, timeoutMs: 60_000 })).toBeNull();
    });

    test('passes abort through', async () => {
      const { store } = await setup();
      const controller = new AbortController();
      const waiting = store.waitForToken(NS, { known: null, timeoutMs: 60_000, signal: controller.signal });
      controller.abort();
      await expect(waiting).rejects.toMatchObject({ code: 'ABORTED' });
    });
  });

  test('delegates leases, quota, blocks and close unchanged', async () => {
    const { inner, store } = await setup();
    const lease = (await store.acquireLease(NS, { ttlMs: 1000 }))!;
    expect(await inner.readLease(NS)).toEqual(lease);
    expect(await store.readLease(NS)).toEqual(lease);
    expect(await store.extendLease(NS, lease, 2000)).not.toBeNull();
    expect(await store.releaseLease(NS, lease)).toBe(true);
    const holder = (await store.acquireLease(NS, { ttlMs: 1000 }))!;
    expect(await store.reserveIssue(NS, { id: 'r1', limit: 1, windowMs: 1000, lease: holder })).toMatchObject(
      {
        granted: true,
      },
    );
    expect(await store.releaseLease(NS, holder)).toBe(true);
    expect(await inner.quotaUsage(NS, { windowMs: 1000 })).toMatchObject({ used: 1 });
    expect((await store.quotaUsage(NS, { windowMs: 1000 })).used).toBe(1);
    const known = [{ id: 'remembered', at: Date.now() }];
    expect((await store.restoreQuota(NS, { windowMs: 1000, known })).used).toBe(2);
    expect(await store.clearQuotaLoss(NS)).toBe(false);
    const block = { code: 'AGENT_BANNED' as const, status: 403, reason: 'banned', createdAt: 1 };
    await store.writeBlock(NS, block);
    expect(await inner.readBlock(NS)).toEqual(block);
    expect(await store.readBlock(NS)).toEqual(block);
    await store.clearBlock(NS);
    expect(await inner.readBlock(NS)).toBeNull();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
