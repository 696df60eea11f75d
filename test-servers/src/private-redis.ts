import type { ChildProcess } from 'node:child_process';
import {
  freePort,
  makeTempDir,
  removeDir,
  spawnRedisServer,
  stopProcess,
  waitForPing,
} from './redis-process.ts';

/** A redis-server of this test alone, on a free port, with persistence off. */
export interface PrivateRedis {
  readonly host: string;
  readonly port: number;
  /** `redis://127.0.0.1:<port>`. */
  readonly url: string;
  /** Its working directory (removed by `close`). */
  readonly dir: string;
  /** Whether the server process is up. */
  readonly running: boolean;
  /** Stops the server (the port then refuses connections); `start` brings it back on the same port. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes its directory. Safe to call twice. */
  close(): Promise<void>;
}

export interface PrivateRedisOptions {
  /** Extra `redis-server` flags, e.g. `['--maxmemory-policy', 'allkeys-lru']`. */
  args?: readonly string[];
  /** Default: a free port. */
  port?: number;
}

/** The flags every private server gets: no disk writes, foreground, loopback only. */
export function baseServerArgs(port: number, dir: string): string[] {
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--save',
    '',
    '--appendonly',
    'no',
    '--daemonize',
    'no',
    '--loglevel',
    'warning',
  ];
}

/**
 * Starts a private redis-server (for outage, restart and configuration tests, and fleet tests that
 * need a Redis of their own). Fails with an install hint when `redis-server` is missing.
 */
export async function startPrivateRedis(options: PrivateRedisOptions = {}): Promise<PrivateRedis> {
  const host = '127.0.0.1';
  const port = options.port ?? (await freePort());
  const dir = await makeTempDir('cxk-redis-');
  const args = [...baseServerArgs(port, dir), ...(options.args ?? [])];
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    if (child !== undefined) return;
    child = await spawnRedisServer(args, dir);
    try {
      await waitForPing(host, port);
    } catch (error) {
      await stopProcess(child);
      child = undefined;
      throw error;
    }
  };
  const stop = async (): Promise<void> => {
    if (child === undefined) return;
    const stopping = child;
    child = undefined;
    await stopProcess(stopping);
  };

  try {
    await start();
  } catch (error) {
    await removeDir(dir);
    throw error;
  }

  return {
    host,
    port,
    url: `redis://${host}:${port}`,
    dir,
    get running() {
      return child !== undefined;
    },
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async close() {
      await stop();
      await removeDir(dir);
    },
  };
}
