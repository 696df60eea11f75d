import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { AuthEventListener } from '@connexease-kit/auth-core';
import { invalidArgument } from './errors.ts';

/** Options of {@link createFileTokenStore}. Every field is optional. */
export interface FileTokenStoreOptions {
  /**
   * Where the files live. Default `$XDG_CACHE_HOME/connexease-kit`, else `~/.cache/connexease-kit`.
   * Created with mode `0700` if missing. Must be on a local file system of this host (not NFS/SMB).
   */
  directory?: string;
  /**
   * Upper bound between two checks while `waitForToken` waits; each poll sleeps a random 50–100 % of
   * it. Default 1000 ms.
   */
  pollIntervalMs?: number;
  /**
   * Wake waiters through `fs.watch` on the directory. Default `true`. Set `false` where the file
   * system never reports changes (some container bind mounts); waiters then rely on polling alone.
   */
  watch?: boolean;
  /**
   * A lock file older than this is considered abandoned and broken. Locks are held for milliseconds;
   * a lock whose process no longer exists on this host is broken at once. Default 10 000 ms.
   */
  lockStaleMs?: number;
  /**
   * Longest an operation waits for the lock before failing with `STORE_UNAVAILABLE`. Must exceed
   * `lockStaleMs` so an abandoned lock can be broken first. Default `lockStaleMs + 5000`.
   */
  lockTimeoutMs?: number;
  /** Receives `warning` and `store-error` events (corrupt files, broken locks, loose permissions). */
  onEvent?: AuthEventListener;
  /**
   * The store's clock for record expiry, leases and the quota window. Every process on the host must
   * agree, so only tests replace it. Default `Date`.
   */
  clock?: { now(): number };
}

/** Options with every default applied. */
export interface ResolvedOptions {
  directory: string;
  pollIntervalMs: number;
  watch: boolean;
  lockStaleMs: number;
  lockTimeoutMs: number;
  onEvent: AuthEventListener | undefined;
  clock: { now(): number };
}

const DEFAULT_POLL_INTERVAL_MS = 1000;
const DEFAULT_LOCK_STALE_MS = 10_000;
const LOCK_TIMEOUT_MARGIN_MS = 5000;

/** Validates options and applies defaults; throws `CONFIG_INVALID` with a message naming the field. */
export function resolveOptions(options: FileTokenStoreOptions = {}): ResolvedOptions {
  const lockStaleMs = positive('lockStaleMs', options.lockStaleMs, DEFAULT_LOCK_STALE_MS);
  const lockTimeoutMs = positive(
    'lockTimeoutMs',
    options.lockTimeoutMs,
    lockStaleMs + LOCK_TIMEOUT_MARGIN_MS,
  );
  if (lockTimeoutMs <= lockStaleMs) {
    throw invalidArgument(
      'createFileTokenStore: lockTimeoutMs must exceed lockStaleMs, or an abandoned lock could never be broken in time.',
    );
  }
  if (options.watch !== undefined && typeof options.watch !== 'boolean') {
    throw invalidArgument('createFileTokenStore: watch must be a boolean.');
  }
  if (options.onEvent !== undefined && typeof options.onEvent !== 'function') {
    throw invalidArgument('createFileTokenStore: onEvent must be a function.');
  }
  if (options.clock !== undefined && typeof options.clock?.now !== 'function') {
    throw invalidArgument('createFileTokenStore: clock must have a now() method.');
  }
  return {
    directory: resolveDirectory(options.directory),
    pollIntervalMs: positive('pollIntervalMs', options.pollIntervalMs, DEFAULT_POLL_INTERVAL_MS),
    watch: options.watch ?? true,
    lockStaleMs,
    lockTimeoutMs,
    onEvent: options.onEvent,
    clock: options.clock ?? Date,
  };
}

/** `$XDG_CACHE_HOME/connexease-kit` or `~/.cache/connexease-kit`, as the XDG base directory spec says. */
export function defaultDirectory(env: Record<string, string | undefined> = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  // The spec says relative values are invalid and must be ignored.
  if (xdg !== undefined && xdg !== '' && isAbsolute(xdg)) return join(xdg, 'connexease-kit');
  let home = '';
  try {
    home = homedir();
  } catch {
    // No home directory (some service accounts): fall through to the error below.
  }
  if (home === '') {
    throw invalidArgument(
      'createFileTokenStore: no home directory and no XDG_CACHE_HOME; pass options.directory.',
    );
  }
  return join(home, '.cache', 'connexease-kit');
}

function resolveDirectory(directory: string | undefined): string {
  if (directory === undefined) return defaultDirectory();
  if (typeof directory !== 'string' || directory.trim() === '' || directory.includes('\0')) {
    throw invalidArgument('createFileTokenStore: directory must be a non-empty path.');
  }
  return resolve(directory);
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw invalidArgument(`createFileTokenStore: ${name} must be a positive number of milliseconds.`);
  }
  return value;
}
