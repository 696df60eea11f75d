import { randomUUID } from 'node:crypto';
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatDuration } from '@connexease-kit/auth-core/store';
import { describeIoError, errnoCode, storeUnavailable } from './errors.ts';

/** What a lock file holds: enough to tell whether its holder is still alive. */
interface LockContent {
  pid: number;
  host: string;
  owner: string;
  createdAt: number;
}

/** A lock this process holds. */
export interface HeldLock {
  /** True when acquiring it meant breaking an abandoned lock (its holder may have left temp files). */
  readonly brokeStale: boolean;
  /** Rejects with `STORE_UNAVAILABLE` if the lock was broken by someone who judged it stale. */
  assertHeld(): Promise<void>;
  /** Deletes the lock file if it is still ours. Never throws. */
  release(): Promise<void>;
}

export interface FileLockOptions {
  /** A lock older than this is abandoned. */
  staleMs: number;
  /** Give up (STORE_UNAVAILABLE) after waiting this long. */
  timeoutMs: number;
  /** Told when an abandoned lock is broken. */
  onStaleLockBroken(message: string): void;
}

/**
 * Owners of the locks this process holds right now, shared by every copy of this module in the
 * process. A lock file carrying our pid but an owner not in here was left by an earlier process that
 * had the same pid (containers restart as pid 1), so it can be broken at once.
 */
const heldByThisProcess: Set<string> = sharedSet(Symbol.for('connexease-kit.token-store-file.held-locks'));

function sharedSet(key: symbol): Set<string> {
  const registry = globalThis as Record<symbol, unknown>;
  if (!(registry[key] instanceof Set)) registry[key] = new Set<string>();
  return registry[key] as Set<string>;
}

const thisHost = hostname();

/**
 * Takes the exclusive lock `path` (a file created with `O_EXCL`), waiting with short jittered sleeps.
 * A lock whose process no longer exists on this host, or older than `staleMs`, is broken safely (see
 * `breakLock`): two breakers cannot both win, and a lock released and re-taken meanwhile is left alone.
 */
export async function acquireFileLock(path: string, options: FileLockOptions): Promise<HeldLock> {
  const started = performance.now();
  let brokeStale = false;
  let lastHolder: LockContent | null = null;
  for (let attempt = 0; ; attempt++) {
    const owner = randomUUID();
    if (await tryCreate(path, owner)) return heldLock(path, owner, brokeStale);
    const observed = await observe(path);
    if (observed !== null) {
      lastHolder = observed.content ?? lastHolder;
      if (judgeStale(observed, options.staleMs) !== null) {
        const reason = await breakLock(path, observed, options.staleMs);
        if (reason !== null) {
          brokeStale = true;
          options.onStaleLockBroken(`Broke an abandoned lock ${path}: ${reason}.`);
          continue;
        }
      }
    }
    const waited = performance.now() - started;
    if (waited >= options.timeoutMs) {
      const holder = lastHolder === null ? '' : ` (held by pid ${lastHolder.pid} on ${lastHolder.host})`;
      throw storeUnavailable(
        `Could not lock ${path} within ${formatDuration(waited)}${holder}. If no process is using the store, delete the lock file.`,
      );
    }
    await sleep(backoffMs(attempt));
  }
}

/** 1–4 ms at first, growing to 25–50 ms: short holds are caught quickly, long waits do not spin. */
function backoffMs(attempt: number): number {
  const ceiling = Math.min(4 * 1.5 ** attempt, 50);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

async function tryCreate(path: string, owner: string): Promise<boolean> {
  const content: LockContent = { pid: process.pid, host: thisHost, owner, createdAt: Date.now() };
  // Registered before the file exists, so another store in this process never mistakes it for a leftover.
  heldByThisProcess.add(owner);
  try {
    const handle = await open(path, 'wx', 0o600);
    try {
      await handle.writeFile(JSON.stringify(content), 'utf8');
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    heldByThisProcess.delete(owner);
    if (errnoCode(error) === 'EEXIST') return false;
    throw storeUnavailable(`Could not create the lock file ${path}: ${describeIoError(error)}`, error);
  }
}

function heldLock(path: string, owner: string, brokeStale: boolean): HeldLock {
  let released = false;
  return {
    brokeStale,
    async assertHeld() {
      if ((await readOwner(path)) !== owner) {
        throw storeUnavailable(
          `Lost the lock ${path} while holding it: another process judged it abandoned (was this process paused for longer than lockStaleMs?). Nothing was written.`,
        );
      }
    },
    async release() {
      if (released) return;
      released = true;
      try {
        if ((await readOwner(path)) === owner) await unlink(path);
      } catch {
        // Already gone or unreadable: a later acquirer will judge it by age.
      } finally {
        heldByThisProcess.delete(owner);
      }
    },
  };
}

interface Observation {
  content: LockContent | null;
  raw: string;
  mtimeMs: number;
  ino: number;
}

async function observe(path: string): Promise<Observation | null> {
  try {
    const [raw, info] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    return { content: parseLock(raw), raw, mtimeMs: info.mtimeMs, ino: info.ino };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return null;
    throw storeUnavailable(`Could not read the lock file ${path}: ${describeIoError(error)}`, error);
  }
}

/** Why the observed lock is abandoned, or `null` while its holder may be alive. */
function judgeStale(observed: Observation, staleMs: number): string | null {
  const age = Date.now() - observed.mtimeMs;
  if (age > staleMs) return `it is ${formatDuration(age)} old (lockStaleMs ${staleMs})`;
  const content = observed.content;
  // An unreadable lock is being written right now (open, then write): only its age can condemn it.
  if (content === null || content.host !== thisHost) return null;
  if (content.pid === process.pid) {
    return heldByThisProcess.has(content.owner)
      ? null
      : `it was left by an earlier process with pid ${content.pid}`;
  }
  try {
    process.kill(content.pid, 0);
    return null;
  } catch (error) {
    return errnoCode(error) === 'ESRCH' ? `its process ${content.pid} no longer exists` : null;
  }
}

/**
 * Removes the lock judged stale, if it is still that very lock. Breakers take turns through a second
 * lock file (`<lock>.break`), judge, then re-read the lock: if it changed since it was observed (its
 * holder released it and someone else locked), nothing is broken. A stale lock cannot change
 * meanwhile (its holder is gone), so the rename moves exactly it. Returns the reason, or `null`.
 */
async function breakLock(path: string, judged: Observation, staleMs: number): Promise<string | null> {
  const turn = `${path}.break`;
  try {
    const handle = await open(turn, 'wx', 0o600);
    await handle.close();
  } catch (error) {
    if (errnoCode(error) !== 'EEXIST') {
      throw storeUnavailable(`Could not create ${turn}: ${describeIoError(error)}`, error);
    }
    // Another breaker is at work; a breaker that died there leaves a turn file only its age condemns.
    const info = await stat(turn).catch(() => null);
    if (info !== null && Date.now() - info.mtimeMs > staleMs) await unlink(turn).catch(() => {});
    return null;
  }
  try {
    // Judge first, then re-read: a lock still unchanged after a verdict of "its holder is gone" was
    // not released in between (release deletes the file before deregistering its owner).
    const reason = judgeStale(judged, staleMs);
    if (reason === null) return null;
    const current = await observe(path);
    if (current === null || !sameFile(current, judged)) return null;
    const aside = `${path}.broken-${randomUUID()}`;
    try {
      await rename(path, aside);
    } catch (error) {
      if (errnoCode(error) === 'ENOENT') return null;
      throw storeUnavailable(`Could not break the abandoned lock ${path}: ${describeIoError(error)}`, error);
    }
    const moved = await observe(aside).catch(() => null);
    if (moved !== null && !sameFile(moved, judged)) {
      // Only a holder judged stale for its age that woke up and released this very instant gets here:
      // put the newer lock back (unless someone locked meanwhile; then its holder's assertHeld fails).
      await link(aside, path).catch(() => {});
      await unlink(aside).catch(() => {});
      return null;
    }
    await unlink(aside).catch(() => {});
    return reason;
  } finally {
    await unlink(turn).catch(() => {});
  }
}

function sameFile(a: Observation, b: Observation): boolean {
  return a.ino === b.ino && a.raw === b.raw && a.mtimeMs === b.mtimeMs;
}

async function readOwner(path: string): Promise<string | null> {
  try {
    return parseLock(await readFile(path, 'utf8'))?.owner ?? null;
  } catch {
    return null;
  }
}

function parseLock(raw: string): LockContent | null {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value !== 'object' || value === null) return null;
    const { pid, host, owner, createdAt } = value as Record<string, unknown>;
    if (!Number.isInteger(pid) || typeof host !== 'string' || typeof owner !== 'string') return null;
    return { pid: pid as number, host, owner, createdAt: typeof createdAt === 'number' ? createdAt : 0 };
  } catch {
    return null;
  }
}
