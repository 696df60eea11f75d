import { existsSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDirectory } from '@connexease-kit/test-servers';
import { describe, expect, it, onTestFinished } from 'vitest';
import { acquireFileLock, type FileLockOptions } from '../src/file-lock.ts';

function options(overrides: Partial<FileLockOptions> & { broken?: string[] } = {}): FileLockOptions {
  const broken = overrides.broken ?? [];
  return {
    staleMs: 10_000,
    timeoutMs: 15_000,
    onStaleLockBroken: (message) => broken.push(message),
    ...overrides,
  };
}

function writeLock(path: string, content: object, ageMs = 0): void {
  writeFileSync(path, JSON.stringify(content));
  if (ageMs > 0) {
    const then = (Date.now() - ageMs) / 1000;
    utimesSync(path, then, then);
  }
}

describe('the inter-process lock file', () => {
  it('is exclusive: concurrent holders never overlap, and the file is gone after the last release', async () => {
    const path = join(tempDirectory('file-lock', onTestFinished), 'ns.lock');
    let inside = 0;
    let maxInside = 0;
    let entries = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (let round = 0; round < 5; round++) {
          const lock = await acquireFileLock(path, options());
          inside++;
          entries++;
          maxInside = Math.max(maxInside, inside);
          await sleep(1);
          inside--;
          await lock.release();
        }
      }),
    );
    expect(entries).toBe(50);
    expect(maxInside).toBe(1);
    expect(existsSync(path)).toBe(false);
  });

  it('holds pid, host, a random owner and the time', async () => {
    const path = join(tempDirectory('file-lock', onTestFinished), 'ns.lock');
    const lock = await acquireFileLock(path, options());
    const content = JSON.parse(readFileSync(path, 'utf8'));
    expect(content).toEqual({
      pid: process.pid,
      host: hostname(),
      owner: expect.any(String),
      createdAt: expect.any(Number),
    });
    await lock.release();
  });

  it('breaks a lock older than staleMs even if its process is alive (it could be on another host)', async () => {
    const path = join(tempDirectory('file-lock', onTestFinished), 'ns.lock');
    writeLock(path, { pid: process.ppid, host: 'another-host', owner: 'x', createdAt: 0 }, 60_000);
    const broken: string[] = [];
    const lock = await acquireFileLock(path, options({ staleMs: 1000, broken }));
    expect(lock.brokeStale).toBe(true);
    expect(broken).toEqual([expect.stringContaining(' old (lockStaleMs 1000)')]);
    await lock.release();
  });

  it('waits for a fresh lock of a live process, then fails with STORE_UNAVAILABLE naming the holder', async () => {
    const path = join(tempDirectory('file-lock', onTestFinished), 'ns.lock');
    writeLock(path, { pid: process.ppid, host: hostname(), owner: 'parent', createdAt: Date.now() });
    await expect(acquireFileLock(path, options({ staleMs: 60_000, timeoutMs: 300 }))).rejects.toMatchObject({
      name: 'ConnexeaseAuthError',
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining(`held by pid ${process.ppid}`),
    });
    expect(JSON.parse(readFileSync(path, 'utf8')).owner, 'the live lock is untouched').toBe('parent');
  });

  it('breaks at once a lock carrying this pid that this process does not hold (a previous process with the same pid)', async () => {
    const path = join(tempDirectory('file-lock', onTestFinished), 'ns.lock');
    writeLock(path, { pid: process.pid, host: hostname(), owner: 'before-restart', createdAt: Date.now() });
    const broken: string[] = [];
    const lock = await acquireFileLock(path, options({ staleMs: 60_000, timeoutMs: 61_000, broken }));
    expect(broken).toEqual([expect.stringContaining('left by an earlier process')]);
    await lock.release();
  });

  it('an unreadable (half-written) lock is judged by age only', async () => {
    const path = join(tempDirectory('file-lock', onTestFinished), 'ns.lock');
    writeFileSync(path, '');
    await expect(acquireFileLock(path, options({ staleMs: 60_000, timeoutMs: 200 }))).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
    });
    utimesSync(path, Date.now() / 1000 - 120, Date.now() / 1000 - 120);
    const lock = await acquireFileLock(path, options({ staleMs: 60_000, timeoutMs: 61_000 }));
    expect(lock.brokeStale).toBe(true);
    await lock.release();
  });

  it('many breakers of one abandoned lock: exactly one breaks it, and exclusion still holds', async () => {
    const path = join(tempDirectory('file-lock', onTestFinished), 'ns.lock');
    writeLock(path, { pid: 1, host: 'gone-host', owner: 'dead', createdAt: 0 }, 60_000);
    const broken: string[] = [];
    let inside = 0;
    let maxInside = 0;
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        const lock = await acquireFileLock(path, options({ staleMs: 5000, broken }));
        inside++;
        maxInside = Math.max(maxInside, inside);
        await sleep(1);
        inside--;
        await lock.release();
      }),
    );
    expect(broken).toHaveLength(1);
    expect(maxInside).toBe(1);
  });

  it('a holder whose lock was broken learns it before committing, and its release leaves the new lock alone', async () => {
    const path = join(tempDirectory('file-lock', onTestFinished), 'ns.lock');
    const paused = await acquireFileLock(path, options({ staleMs: 5000 }));
    // The holder "pauses" far longer than staleMs: its lock ages.
    utimesSync(path, Date.now() / 1000 - 60, Date.now() / 1000 - 60);
    const next = await acquireFileLock(path, options({ staleMs: 5000 }));

    await expect(paused.assertHeld()).rejects.toMatchObject({
      code: 'STORE_UNAVAILABLE',
      message: expect.stringContaining('Nothing was written'),
    });
    await paused.release();
    await expect(next.assertHeld()).resolves.toBeUndefined();
    await next.release();
    expect(existsSync(path)).toBe(false);
  });
});
