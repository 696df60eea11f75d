import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthEvent } from '@connexease-kit/auth-core';
import { tempDirectory } from '@connexease-kit/test-servers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createFileTokenStore, type FileTokenStore } from '../src/index.ts';

const WINDOW_MS = 60_000;
const ns = 'corruptible';

function setup(): { store: FileTokenStore; events: AuthEvent[]; clock: { now: number }; directory: string } {
  const directory = tempDirectory('file-corrupt', onTestFinished);
  const clock = { now: 1_700_000_000_000 };
  const events: AuthEvent[] = [];
  const store = createFileTokenStore({
    directory,
    clock: { now: () => clock.now },
    onEvent: (e) => events.push(e),
  });
  return { store, events, clock, directory };
}

async function seed(store: FileTokenStore): Promise<string> {
  const lease = await store.acquireLease(ns, { ttlMs: 30_000 });
  const value = 'eyJhbGciOiJIUzI1NiJ9.secret-token-value.sig';
  await store.writeToken(ns, lease!, {
    value,
    issuedAt: Date.now(),
    expiresAt: Date.now() + 1e9,
    fence: lease!.fence,
  });
  for (const id of ['a', 'b', 'c']) await store.reserveIssue(ns, { id, limit: 5, windowMs: WINDOW_MS });
  return value;
}

const damages: Array<[string, (text: string) => string]> = [
  ['truncated in the middle', (text) => text.slice(0, Math.floor(text.length / 2))],
  ['truncated to zero bytes', () => ''],
  ['overwritten with garbage', () => '\u0000\u0001garbage\uFFFD not json at all'],
  ['a foreign JSON document', () => JSON.stringify({ hello: 'world', reservations: [] })],
  ['our format with a broken record', (text) => text.replace('"reservations": [', '"reservations": [42, ')],
];

describe('corrupt, truncated and foreign files', () => {
  for (const [label, damage] of damages) {
    it(`${label}: no crash, a warning, a 0600 copy, and the quota counts as spent for a full window`, async () => {
      const { store, events, clock, directory } = setup();
      const token = await seed(store);
      const path = store.filePath(ns);
      const damaged = damage(readFileSync(path, 'utf8'));
      writeFileSync(path, damaged);
      const detectedAt = clock.now;

      const denied = await store.reserveIssue(ns, { id: 'd', limit: 5, windowMs: WINDOW_MS });

      expect(denied).toMatchObject({ granted: false, limit: 5, retryAt: detectedAt + WINDOW_MS });
      expect(denied.used).toBeGreaterThanOrEqual(5);
      const warning = events.find(
        (event) => event.type === 'warning' && event.message.includes('unreadable'),
      );
      expect(warning, 'a warning names the damaged file').toMatchObject({ type: 'warning', ns });
      expect(JSON.stringify(events)).not.toContain(token);
      const copies = readdirSync(directory).filter((name) => name.includes('.corrupt-'));
      expect(copies).toHaveLength(1);
      const copy = join(directory, copies[0]!);
      expect(readFileSync(copy, 'utf8')).toBe(damaged);
      expect(statSync(copy).mode & 0o777).toBe(0o600);
      expect(await store.readToken(ns), 'the damaged token is not served').toBeNull();
      await store.close();
    });
  }

  it('the fail-closed decision is persisted: a restarted process is denied until the window has passed', async () => {
    const { store, events, clock, directory } = setup();
    await seed(store);
    writeFileSync(store.filePath(ns), '{"format":"connexease-kit/token-store-file","version":1,"reserv');
    const detectedAt = clock.now;
    expect(await store.readToken(ns), 'a read detects the damage too').toBeNull();
    expect(events.filter((event) => event.type === 'warning')).toHaveLength(1);
    await store.close();

    clock.now = detectedAt + WINDOW_MS - 1;
    const restarted = createFileTokenStore({ directory, clock: { now: () => clock.now } });
    const usage = await restarted.quotaUsage(ns, { windowMs: WINDOW_MS });
    expect(usage.used, 'quotaUsage reports the window as full').toBeGreaterThanOrEqual(30);
    expect(usage.reservedAt[0]).toBe(detectedAt);
    expect(await restarted.reserveIssue(ns, { id: 'late', limit: 25, windowMs: WINDOW_MS })).toMatchObject({
      granted: false,
      retryAt: detectedAt + WINDOW_MS,
    });

    clock.now = detectedAt + WINDOW_MS;
    expect(await restarted.reserveIssue(ns, { id: 'after', limit: 25, windowMs: WINDOW_MS })).toEqual({
      granted: true,
      used: 1,
      limit: 25,
    });
    expect(readdirSync(directory).filter((name) => name.includes('.corrupt-'))).toHaveLength(1);
    await restarted.close();
  });

  it('a longer window than the one first seen keeps the quota closed for that longer window', async () => {
    const { store, clock } = setup();
    writeFileSync(store.filePath(ns), 'garbage');
    const detectedAt = clock.now;
    const longWindow = 30 * 24 * 60 * 60 * 1000;
    expect(await store.reserveIssue(ns, { id: 'x', limit: 5, windowMs: longWindow })).toMatchObject({
      granted: false,
      retryAt: detectedAt + longWindow,
    });
    clock.now = detectedAt + longWindow - 1;
    expect((await store.reserveIssue(ns, { id: 'y', limit: 5, windowMs: longWindow })).granted).toBe(false);
    await store.close();
  });

  it('a lease granted after corruption is still fenced above every lease before it', async () => {
    const { store } = setup();
    const before = await store.acquireLease(ns, { ttlMs: 30_000 });
    writeFileSync(store.filePath(ns), 'garbage');
    const after = await store.acquireLease(ns, { ttlMs: 30_000 });
    expect(after!.fence).toBeGreaterThan(before!.fence);
    await store.close();
  });

  it('a file from a newer version is left untouched and operations fail with STORE_UNAVAILABLE', async () => {
    const { store } = setup();
    const newer = JSON.stringify({ format: 'connexease-kit/token-store-file', version: 99, anything: true });
    writeFileSync(store.filePath(ns), newer);

    await expect(store.readToken(ns)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
    await expect(store.reserveIssue(ns, { id: 'a', limit: 5, windowMs: WINDOW_MS })).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('newer'),
    });
    expect(readFileSync(store.filePath(ns), 'utf8')).toBe(newer);
    await store.close();
  });
});
