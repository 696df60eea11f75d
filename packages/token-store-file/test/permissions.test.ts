import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { AuthEvent } from '@connexease-kit/auth-core';
import { describe, expect, it } from 'vitest';
import { createFileTokenStore, defaultDirectory } from '../src/index.ts';
import { tempDirectory } from './support/temp-directory.ts';

const mode = (path: string): number => statSync(path).mode & 0o777;

describe('files, directory and permissions', () => {
  it('creates the directory (and missing parents) with mode 0700 and each namespace file with mode 0600', async () => {
    const directory = join(tempDirectory('modes'), 'nested', 'connexease-kit');
    const events: AuthEvent[] = [];
    const store = createFileTokenStore({ directory, onEvent: (event) => events.push(event) });
    const lease = await store.acquireLease('ns', { ttlMs: 30_000 });
    await store.writeToken('ns', lease!, {
      value: 'v',
      issuedAt: Date.now(),
      expiresAt: Date.now() + 60_000,
      fence: lease!.fence,
    });

    expect(mode(directory)).toBe(0o700);
    expect(mode(join(directory, '..'))).toBe(0o700);
    expect(mode(store.filePath('ns'))).toBe(0o600);
    expect(readdirSync(directory), 'one file per namespace, no lock or temp file left').toEqual(['ns.json']);
    expect(events, 'a private directory raises no warning').toEqual([]);
    await store.close();
  });

  it('warns when the directory is accessible by group or others', async () => {
    const directory = tempDirectory('loose');
    chmodSync(directory, 0o755);
    const events: AuthEvent[] = [];
    const store = createFileTokenStore({ directory, onEvent: (event) => events.push(event) });
    await store.acquireLease('ns', { ttlMs: 60_000 });

    expect(events).toEqual([{ type: 'warning', message: expect.stringContaining('mode 755') }]);
    expect(mode(store.filePath('ns')), 'the file itself stays private').toBe(0o600);
    await store.close();
  });

  it('deletes the file once no record is left', async () => {
    const directory = tempDirectory('empty');
    const store = createFileTokenStore({ directory });
    await store.writeBlock('ns', {
      code: 'AGENT_BANNED',
      status: 403,
      reason: 'banned',
      createdAt: Date.now(),
    });
    expect(existsSync(store.filePath('ns'))).toBe(true);

    await store.clearBlock('ns');
    expect(existsSync(store.filePath('ns'))).toBe(false);
    await store.close();
  });

  it('deletes a file whose records have all expired when it is next read', async () => {
    const directory = tempDirectory('expired');
    const clock = { now: 1_000_000 };
    const store = createFileTokenStore({ directory, clock: { now: () => clock.now } });
    const lease = await store.acquireLease('ns', { ttlMs: 1000 });
    await store.reserveIssue('ns', { id: 'a', limit: 5, windowMs: 1000, lease: lease! });
    // The fence and the quota marker outlive the reservation by their retention (30 days).
    clock.now += 31 * 24 * 60 * 60 * 1000;

    expect((await store.quotaUsage('ns', { windowMs: 1000 })).used).toBe(0);
    expect(existsSync(store.filePath('ns'))).toBe(false);
    await store.close();
  });

  it('keeps every namespace in its own file inside the directory, whatever characters it has', async () => {
    const directory = tempDirectory('names');
    const store = createFileTokenStore({ directory });
    const names = ['../escape', 'a/b', 'Upper', 'upper', 'cxk:{hash}:ns', '.hidden', 'x'.repeat(300)];
    for (const [i, name] of names.entries()) {
      const lease = await store.acquireLease(name, { ttlMs: 60_000 });
      await store.reserveIssue(name, { id: `r${i}`, limit: 5, windowMs: 60_000, lease: lease! });
    }

    const files = readdirSync(directory);
    expect(files).toHaveLength(names.length);
    for (const file of files) {
      expect(file.endsWith('.json')).toBe(true);
      expect(file.startsWith('.'), `${file} is not hidden or relative`).toBe(false);
    }
    for (const [i, name] of names.entries()) {
      expect(store.filePath(name).startsWith(`${directory}/`)).toBe(true);
      expect((await store.quotaUsage(name, { windowMs: 60_000 })).used, `namespace ${i}`).toBe(1);
    }
    expect(existsSync(join(directory, '..', 'escape.json'))).toBe(false);
    await store.close();
  });

  it('defaults to $XDG_CACHE_HOME/connexease-kit, else ~/.cache/connexease-kit', () => {
    expect(defaultDirectory({ XDG_CACHE_HOME: '/var/cache/app' })).toBe('/var/cache/app/connexease-kit');
    expect(defaultDirectory({ XDG_CACHE_HOME: 'relative/ignored' })).toBe(
      join(homedir(), '.cache', 'connexease-kit'),
    );
    expect(defaultDirectory({})).toBe(join(homedir(), '.cache', 'connexease-kit'));
  });

  it('a store made without options uses the default directory and touches nothing until used', async () => {
    const store = createFileTokenStore();
    expect(store.directory).toBe(defaultDirectory());
    await store.close();
  });

  it('cleans up temp files a crashed writer left behind and keeps the last committed state', async () => {
    const directory = tempDirectory('orphans');
    const first = createFileTokenStore({ directory });
    const lease = await first.acquireLease('ns', { ttlMs: 60_000 });
    await first.reserveIssue('ns', { id: 'committed', limit: 5, windowMs: 60_000, lease: lease! });
    await first.close();
    // A writer that died after writing its temp file but before the rename.
    const orphan = `${join(directory, 'ns.json')}.4242-deadbeef.tmp`;
    writeFileSync(
      orphan,
      '{"format":"connexease-kit/token-store-file","version":1,"reservations":[{"id":"lost"',
    );

    const restarted = createFileTokenStore({ directory });
    expect((await restarted.quotaUsage('ns', { windowMs: 60_000 })).used).toBe(1);
    await restarted.reserveIssue('ns', { id: 'next', limit: 5, windowMs: 60_000, lease: lease! });
    expect(existsSync(orphan)).toBe(false);
    expect((await restarted.quotaUsage('ns', { windowMs: 60_000 })).used).toBe(2);
    await restarted.close();
  });
});
