import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { inspect } from 'node:util';
import type { AuthEvent } from '@connexease-kit/auth-core';
import type { Lease, TokenRecord } from '@connexease-kit/auth-core/store';
import { tempDirectory } from '@connexease-kit/test-servers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createFileTokenStore, type FileTokenStore } from '../src/index.ts';
import { openWatchers } from './support/open-watchers.ts';

const SECRET = 'eyJhbGciOiJIUzI1NiJ9.very-secret-payload.signature';

function record(lease: Lease, value = SECRET): TokenRecord {
  return { value, issuedAt: Date.now(), expiresAt: Date.now() + 3_600_000, fence: lease.fence };
}

async function withStore(test: (store: FileTokenStore) => Promise<void>): Promise<void> {
  const store = createFileTokenStore({
    directory: tempDirectory('file-behaviour', onTestFinished),
    pollIntervalMs: 60_000,
  });
  try {
    await test(store);
  } finally {
    await store.close();
  }
}

describe('createFileTokenStore', () => {
  it('inspectTtls lists every record with a finite TTL; the deprecated debugTtls answers the same', async () => {
    await withStore(async (store) => {
      const lease = (await store.acquireLease('ns', { ttlMs: 30_000 }))!;
      expect(await store.writeToken('ns', lease, record(lease))).toBe(true);
      const ttls = await store.inspectTtls('ns');
      expect(
        ttls.map(({ key }) => key.split('#').at(-1)),
        'the token and the lease are listed',
      ).toEqual(expect.arrayContaining(['token', 'lease']));
      for (const { ttlMs } of ttls) expect(Number.isFinite(ttlMs), 'no record lives forever').toBe(true);
      const aliased = await store.debugTtls('ns');
      expect(
        aliased.map(({ key }) => key),
        'debugTtls is an alias of inspectTtls: the same records',
      ).toEqual(ttls.map(({ key }) => key));
    });
  });

  it('rejects invalid options with CONFIG_INVALID naming the option', () => {
    expect(() => createFileTokenStore({ directory: '' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
    expect(() => createFileTokenStore({ pollIntervalMs: 0 })).toThrow(/pollIntervalMs/);
    expect(() => createFileTokenStore({ lockStaleMs: -1 })).toThrow(/lockStaleMs/);
    expect(() => createFileTokenStore({ lockStaleMs: 5000, lockTimeoutMs: 1000 })).toThrow(/lockTimeoutMs/);
    expect(() => createFileTokenStore({ clock: {} as never })).toThrow(/clock/);
  });

  it('rejects bad arguments with CONFIG_INVALID and writes nothing', async () => {
    await withStore(async (store) => {
      const invalid = { code: 'CONFIG_INVALID' };
      await expect(store.acquireLease('ns', { ttlMs: 0 })).rejects.toMatchObject(invalid);
      const lease = { id: 'not-held', fence: 1, expiresAt: 0 };
      await expect(
        store.reserveIssue('ns', { id: '', limit: 5, windowMs: 1000, lease }),
      ).rejects.toMatchObject(invalid);
      await expect(
        store.reserveIssue('ns', { id: 'a', limit: 0, windowMs: 1000, lease }),
      ).rejects.toMatchObject(invalid);
      await expect(
        store.reserveIssue('ns', { id: 'a', limit: 5, windowMs: Number.NaN, lease }),
      ).rejects.toMatchObject(invalid);
      const noLease = { id: 'a', limit: 5, windowMs: 1000 } as never;
      await expect(store.reserveIssue('ns', noLease)).rejects.toMatchObject(invalid);
      await expect(
        store.restoreQuota('ns', { windowMs: 1000, known: [{ id: '', at: 1 }] }),
      ).rejects.toMatchObject(invalid);
      await expect(store.writeBlock('ns', { code: 'NOPE' } as never)).rejects.toMatchObject(invalid);
      await expect(store.readToken('')).rejects.toMatchObject(invalid);
      const other = await store.acquireLease('other', { ttlMs: 30_000 });
      await expect(store.writeToken('ns', other!, { ...record(other!), value: '' })).rejects.toMatchObject(
        invalid,
      );
      expect(existsSync(store.filePath('ns'))).toBe(false);
    });
  });

  it('never puts the token in errors, events or util.inspect of the store', async () => {
    const directory = tempDirectory('file-secrets', onTestFinished);
    const events: unknown[] = [];
    const store = createFileTokenStore({ directory, onEvent: (event) => events.push(event) });
    const lease = await store.acquireLease('ns', { ttlMs: 30_000 });
    await store.writeToken('ns', lease!, record(lease!));
    const invalid = await store
      .writeToken('ns', lease!, { ...record(lease!), expiresAt: Number.NaN })
      .catch((e) => e);

    expect(readFileSync(store.filePath('ns'), 'utf8')).toContain(SECRET); // protected by the 0600 file mode
    expect(`${invalid.message} ${JSON.stringify(invalid)}`).not.toContain(SECRET);
    expect(inspect(store, { depth: 5 })).not.toContain(SECRET);
    expect(JSON.stringify(events)).not.toContain(SECRET);
    await store.close();
  });

  it('opens a directory watcher only while someone waits, and closes it when the last waiter leaves', async () => {
    await withStore(async (store) => {
      const before = await openWatchers();
      const lease = await store.acquireLease('ns', { ttlMs: 30_000 });
      const waiting = [
        store.waitForToken('ns', { known: null, timeoutMs: 30_000 }),
        store.waitForToken('other', { known: null, timeoutMs: 30_000 }),
      ];
      for (const wait of waiting) wait.catch(() => {}); // a failed assertion must not leave them unhandled
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await openWatchers()).toBe(before + 1);

      await store.writeToken('ns', lease!, record(lease!));
      expect(await waiting[0]).toMatchObject({ value: SECRET });
      expect(await openWatchers(), 'still one waiter').toBe(before + 1);

      const other = await store.acquireLease('other', { ttlMs: 30_000 });
      await store.writeToken('other', other!, record(other!, 'second-token'));
      expect(await waiting[1]).toMatchObject({ value: 'second-token' });
      expect(await openWatchers()).toBe(before);
    });
  });

  it('close rejects pending waits with STORE_UNAVAILABLE, releases the watcher, and later calls fail', async () => {
    const store = createFileTokenStore({
      directory: tempDirectory('file-close', onTestFinished),
      pollIntervalMs: 60_000,
    });
    const before = await openWatchers();
    const waiting = store.waitForToken('ns', { known: null, timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    await store.close();

    await expect(waiting).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(await openWatchers()).toBe(before);
    await expect(store.readToken('ns')).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('a read that fails while waiting is reported as a store-error, and the wait goes on', async () => {
    const errors: AuthEvent[] = [];
    let reported: () => void = () => {};
    const firstError = new Promise<void>((resolve) => {
      reported = resolve;
    });
    const store = createFileTokenStore({
      directory: tempDirectory('file-wait-error', onTestFinished),
      pollIntervalMs: 60_000,
      onEvent: (event) => {
        if (event.type !== 'store-error') return;
        errors.push(event);
        reported();
      },
    });
    onTestFinished(() => store.close());
    mkdirSync(store.filePath('ns')); // a directory where the file belongs: every read fails (EISDIR)
    const waiting = store.waitForToken('ns', { known: null, timeoutMs: 60_000 });
    waiting.catch(() => {}); // a failed assertion must not leave it unhandled

    await firstError;
    expect(errors[0]).toMatchObject({ type: 'store-error', ns: 'ns', operation: 'waitForToken' });
    rmdirSync(store.filePath('ns'));
    const lease = await store.acquireLease('ns', { ttlMs: 30_000 });
    await store.writeToken('ns', lease!, record(lease!));
    expect(await waiting, 'the wait outlived the failed read').toMatchObject({ value: SECRET });
  });

  it('a throwing event listener does not break an operation', async () => {
    const directory = tempDirectory('file-listener', onTestFinished);
    const store = createFileTokenStore({
      directory,
      onEvent: () => {
        throw new Error('listener bug');
      },
    });
    writeFileSync(store.filePath('ns'), 'garbage'); // makes the store emit a warning
    expect(await store.readToken('ns')).toBeNull();
    await store.close();
  });
});

describe('waitForToken and an expiring token', () => {
  it('keeps looking after the expiry timer when the store clock lags: the wait ends once the token expires on it', async () => {
    // The store's clock falls 1 s behind shortly before the token expires (after the wait armed its
    // expiry timer): when that timer fires, the token is still stored on the store's clock.
    const expiresAt = Date.now() + 2000;
    const lagsFrom = expiresAt - 500;
    const store = createFileTokenStore({
      directory: tempDirectory('file-expiry', onTestFinished),
      pollIntervalMs: 600_000,
      watch: false,
      clock: { now: () => (Date.now() >= lagsFrom ? Date.now() - 1000 : Date.now()) },
    });
    onTestFinished(() => store.close());
    const lease = await store.acquireLease('ns', { ttlMs: 60_000 });
    const expiring = { ...record(lease!), expiresAt };
    await store.writeToken('ns', lease!, expiring);
    const waited = store.waitForToken('ns', { known: expiring, timeoutMs: 600_000 });
    const outcome = await Promise.race([
      waited.then((current) => ({ current })),
      new Promise((resolve) => setTimeout(resolve, 15_000, 'still waiting after 15 s')),
    ]);
    expect(outcome).toEqual({ current: null });
  }, 30_000);
});
