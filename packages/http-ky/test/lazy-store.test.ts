import type { TokenStore } from '@connexease-kit/auth-core';
import { lazyTokenStore } from '@connexease-kit/auth-core/transport';
import { caught } from '@connexease-kit/test-support';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import { describe, expect, it } from 'vitest';

const LEASE_TTL = { ttlMs: 10_000 };

describe('lazyTokenStore', () => {
  it('creates the real store once, on the first call, even for concurrent calls', async () => {
    const made: TokenStore[] = [];
    const lazy = lazyTokenStore(async () => {
      const store = createMemoryTokenStore();
      made.push(store);
      return store;
    });
    expect(made).toHaveLength(0);
    const [lease, token] = await Promise.all([lazy.acquireLease('ns', LEASE_TTL), lazy.readToken('ns')]);
    expect(made).toHaveLength(1);
    expect(token).toBeNull();
    // Both calls reached the same store: it now holds the lease the first one took.
    expect(await made[0]!.readLease('ns')).toEqual(lease);
    await lazy.close();
  });

  it('keeps a creation failure: every call rejects with it, and creation is not retried', async () => {
    let attempts = 0;
    const failure = new Error('cannot load');
    const lazy = lazyTokenStore(() => {
      attempts++;
      return Promise.reject(failure);
    });
    expect(await caught(() => lazy.readToken('ns'))).toBe(failure);
    expect(await caught(() => lazy.acquireLease('ns', LEASE_TTL))).toBe(failure);
    expect(attempts).toBe(1);
    await lazy.close();
  });

  it('close() closes the real store it made; closed before any use, it never makes one', async () => {
    const real = createMemoryTokenStore();
    const used = lazyTokenStore(async () => real);
    await used.readToken('ns');
    await used.close();
    expect(await caught(() => real.readToken('ns'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });

    let made = 0;
    const unused = lazyTokenStore(async () => {
      made++;
      return createMemoryTokenStore();
    });
    await unused.close();
    expect(await caught(() => unused.readToken('ns'))).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(made).toBe(0);
  });
});
