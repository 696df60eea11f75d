import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthEvent } from '@connexease-kit/auth-core';
import type { Lease } from '@connexease-kit/auth-core/store';
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
  for (const id of ['a', 'b', 'c']) {
    await store.reserveIssue(ns, { id, limit: 5, windowMs: WINDOW_MS, lease: lease! });
  }
  return value;
}

/** A lease taken after the damage (the old one was dropped with the file). */
async function freshLease(store: FileTokenStore): Promise<Lease> {
  const lease = await store.acquireLease(ns, { ttlMs: 30_000 });
  expect(lease, 'the lease is free after the damage').not.toBeNull();
  return lease!;
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

      const lease = await freshLease(store);
      const denied = await store.reserveIssue(ns, { id: 'd', limit: 5, windowMs: WINDOW_MS, lease });

      expect(denied).toMatchObject({
        granted: false,
        denied: 'lost',
        limit: 5,
        retryAt: detectedAt + WINDOW_MS,
        lostThrough: detectedAt,
      });
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
    expect(usage, 'quotaUsage reports the lost past').toMatchObject({ used: 0, lostThrough: detectedAt });
    const lease = await restarted.acquireLease(ns, { ttlMs: 2 * WINDOW_MS });
    const request = { limit: 25, windowMs: WINDOW_MS, lease: lease! };
    expect(await restarted.reserveIssue(ns, { id: 'late', ...request })).toMatchObject({
      granted: false,
      denied: 'lost',
      retryAt: detectedAt + WINDOW_MS,
    });

    clock.now = detectedAt + WINDOW_MS;
    expect(await restarted.reserveIssue(ns, { id: 'after', ...request })).toMatchObject({
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
    const lease = await store.acquireLease(ns, { ttlMs: 2 * longWindow });
    const request = { limit: 5, windowMs: longWindow, lease: lease! };
    expect(await store.reserveIssue(ns, { id: 'x', ...request })).toMatchObject({
      granted: false,
      retryAt: detectedAt + longWindow,
    });
    clock.now = detectedAt + longWindow - 1;
    expect((await store.reserveIssue(ns, { id: 'y', ...request })).granted).toBe(false);
    await store.close();
  });

  it('an operator who knows nothing was sent can free the lost past (clearQuotaLoss)', async () => {
    const { store } = setup();
    await seed(store);
    writeFileSync(store.filePath(ns), 'garbage');
    const lease = await freshLease(store);

    expect(await store.clearQuotaLoss(ns)).toBe(true);
    expect(await store.reserveIssue(ns, { id: 'd', limit: 5, windowMs: WINDOW_MS, lease })).toMatchObject({
      granted: true,
      used: 1,
      lostThrough: null,
    });
    await store.close();
  });

  it('a file written by an earlier version with a quotaUnknown record still counts the window as spent', async () => {
    const { store, clock } = setup();
    const since = clock.now - 1000;
    const legacy = {
      format: 'connexease-kit/token-store-file',
      version: 1,
      fence: null,
      token: null,
      lease: null,
      reservations: [],
      block: null,
      quotaUnknown: { since, reason: 'the file is empty (truncated)', expiresAt: since + 7 * 86_400_000 },
    };
    writeFileSync(store.filePath(ns), JSON.stringify(legacy));
    const lease = await freshLease(store);

    expect(await store.reserveIssue(ns, { id: 'd', limit: 5, windowMs: WINDOW_MS, lease })).toMatchObject({
      granted: false,
      denied: 'lost',
      retryAt: since + WINDOW_MS,
    });
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
    const lease = { id: 'any', fence: 1, expiresAt: 0 };
    await expect(
      store.reserveIssue(ns, { id: 'a', limit: 5, windowMs: WINDOW_MS, lease }),
    ).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('newer'),
    });
    expect(readFileSync(store.filePath(ns), 'utf8')).toBe(newer);
    await store.close();
  });
});
