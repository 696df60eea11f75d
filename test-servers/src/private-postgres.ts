import { execFileSync } from 'node:child_process';
import { chmod, chown, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPostgresTool } from './postgres-binaries.ts';
import { freePort } from './redis-process.ts';

/** A PostgreSQL server of one test alone, to stop, restart or kill without touching the shared one. */
export interface PrivatePostgres {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust auth). */
  readonly url: string;
  /** Starts it again after `stop`. */
  start(): Promise<void>;
  /** Stops it: `fast` (clients disconnected, clean shutdown) or `immediate` (like a crash). */
  stop(mode?: 'fast' | 'immediate'): Promise<void>;
  /** Stops it for good and deletes its data directory. */
  destroy(): Promise<void>;
}

/** Every private server still running, stopped if the test process exits without tearing down. */
const running = new Set<string>();
process.once('exit', () => {
  for (const dir of running) {
    try {
      const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
      const args = ['-D', dir, 'stop', '-m', 'immediate'];
      if (isRoot) execFileSync('runuser', ['-u', 'postgres', '--', 'pg_ctl', ...args], { stdio: 'ignore' });
      else execFileSync('pg_ctl', args, { stdio: 'ignore' });
    } catch {
      // Best effort.
    }
  }
});

/**
 * initdb's a fresh cluster in a temporary directory (trust auth, no fsync: tests, not durability) and
 * starts it on a free port on 127.0.0.1. Takes a second or two.
 */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'cxk-pg-'));
  const data = join(dir, 'data');
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    await chown(dir, uid, gid);
  }
  await chmod(dir, 0o755);
  await runPostgresTool('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const start = async (): Promise<void> => {
    await runPostgresTool('pg_ctl', [
      '-D',
      data,
      '-o',
      options,
      '-l',
      join(dir, 'log'),
      '-w',
      '-t',
      '30',
      'start',
    ]);
    running.add(data);
  };
  const stop = async (mode: 'fast' | 'immediate' = 'fast'): Promise<void> => {
    await runPostgresTool('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']);
    running.delete(data);
  };
  await start();
  return {
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async destroy() {
      if (running.has(data)) await stop('immediate').catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}
