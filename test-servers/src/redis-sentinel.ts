import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { baseServerArgs } from './private-redis.ts';
import {
  exitOf,
  freePort,
  makeTempDir,
  removeDir,
  spawnRedisServer,
  stopProcess,
  waitForPing,
} from './redis-process.ts';

/** `host:port` of a server or a Sentinel. */
export interface RedisAddress {
  host: string;
  port: number;
}

/** A Redis master, its replica and three Sentinels of this test alone. */
export interface RedisSentinelHandle {
  /** The master name the Sentinels monitor (`name` of ioredis's Sentinel options). */
  readonly name: string;
  /** The Sentinels, for `new Redis({ sentinels, name })` or a child process's configuration. */
  readonly sentinels: readonly RedisAddress[];
  /** The data servers (master first, as started); `currentMaster` says which one leads now. */
  readonly servers: readonly RedisAddress[];
  /** The master address the Sentinels give out right now. */
  currentMaster(): Promise<RedisAddress>;
  /** SIGKILLs the server at `address` (no shutdown, no last sync: a crash). */
  kill(address: RedisAddress): Promise<void>;
  /** Resolves once every Sentinel gives out a master other than `previous` and it answers as a master. */
  waitForFailover(previous: RedisAddress, timeoutMs?: number): Promise<RedisAddress>;
  /** Kills every process and removes their directories. Safe to call twice. */
  close(): Promise<void>;
}

export interface RedisSentinelOptions {
  /**
   * Sentinel's `down-after-milliseconds`: how long the master may be silent before a failover.
   * Default 2000, for failover tests; a suite that must never fail over should pass a long one
   * (30 s), since a loaded machine can leave the master silent for seconds.
   */
  downAfterMs?: number;
  /** Sentinel's `failover-timeout`. Default 5000. */
  failoverTimeoutMs?: number;
  /** Extra flags for both data servers (e.g. an append-only file). */
  serverArgs?: readonly string[];
  /** How long to wait for the topology to settle. Default 30 s. */
  readyTimeoutMs?: number;
}

const MASTER_NAME = 'cxkmaster';

interface Started {
  address: RedisAddress;
  child: ChildProcess;
  dir: string;
}

async function startProcess(args: (port: number, dir: string) => Promise<string[]>): Promise<Started> {
  const port = await freePort();
  const dir = await makeTempDir('cxk-sentinel-');
  try {
    const child = await spawnRedisServer(await args(port, dir), dir);
    try {
      await waitForPing('127.0.0.1', port);
    } catch (error) {
      await stopProcess(child);
      throw error;
    }
    return { address: { host: '127.0.0.1', port }, child, dir };
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
}

/** Runs one command on a short-lived connection. */
async function ask<T>(address: RedisAddress, task: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis({ ...address, lazyConnect: true, maxRetriesPerRequest: 0, protocol: 2 });
  client.on('error', () => {});
  try {
    await client.connect();
    return await task(client);
  } finally {
    client.disconnect();
  }
}

/** `SENTINEL MASTER <name>` as `field → value`. */
async function sentinelView(sentinel: RedisAddress): Promise<Map<string, string>> {
  const flat = (await ask(sentinel, (client) => client.call('SENTINEL', 'MASTER', MASTER_NAME))) as string[];
  const view = new Map<string, string>();
  for (let index = 0; index + 1 < flat.length; index += 2) view.set(flat[index]!, flat[index + 1]!);
  return view;
}

async function poll<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  what: string,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  let last: T | string = 'no answer';
  for (;;) {
    try {
      const value = await probe();
      if (accept(value)) return value;
      last = value;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() >= deadline) {
      throw new Error(`${what} did not happen within ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts one master, one replica and three Sentinels (quorum 2) from the machine's `redis-server`
 * (`redis-server sentinel.conf --sentinel`), on free ports, each in its own temp directory, and waits
 * until the replica is in sync and every Sentinel sees the replica and the two other Sentinels, so a
 * failover can happen. Start it once per test file (beforeAll): it takes a few seconds.
 */
export async function startRedisSentinel(options: RedisSentinelOptions = {}): Promise<RedisSentinelHandle> {
  const started: Started[] = [];
  const close = async (): Promise<void> => {
    const all = started.splice(0);
    await Promise.all(all.map((one) => stopProcess(one.child, 2000)));
    await Promise.all(all.map((one) => removeDir(one.dir)));
  };
  const timeoutMs = options.readyTimeoutMs ?? 30_000;
  try {
    const serverArgs = options.serverArgs ?? [];
    const master = await startProcess(async (port, dir) => [...baseServerArgs(port, dir), ...serverArgs]);
    started.push(master);
    const replica = await startProcess(async (port, dir) => [
      ...baseServerArgs(port, dir),
      ...serverArgs,
      '--replicaof',
      master.address.host,
      String(master.address.port),
    ]);
    started.push(replica);
    await poll(
      () => ask(replica.address, (client) => client.info('replication')),
      (info) => info.includes('master_link_status:up'),
      'the replica syncing with the master',
      timeoutMs,
    );

    for (let index = 0; index < 3; index++) {
      const sentinel = await startProcess(async (port, dir) => {
        // Sentinel rewrites its configuration file, so each one gets its own, in its own directory.
        const file = join(dir, 'sentinel.conf');
        await writeFile(
          file,
          [
            `port ${port}`,
            'bind 127.0.0.1',
            'daemonize no',
            `dir ${dir}`,
            'loglevel warning',
            `sentinel monitor ${MASTER_NAME} ${master.address.host} ${master.address.port} 2`,
            `sentinel down-after-milliseconds ${MASTER_NAME} ${options.downAfterMs ?? 2000}`,
            `sentinel failover-timeout ${MASTER_NAME} ${options.failoverTimeoutMs ?? 5000}`,
            `sentinel parallel-syncs ${MASTER_NAME} 1`,
            '',
          ].join('\n'),
        );
        return [file, '--sentinel'];
      });
      started.push(sentinel);
    }
    const sentinels = started.slice(2).map((one) => one.address);
    for (const sentinel of sentinels) {
      await poll(
        () => sentinelView(sentinel),
        (view) => view.get('num-slaves') === '1' && view.get('num-other-sentinels') === '2',
        `Sentinel ${sentinel.port} seeing the replica and the two other Sentinels`,
        timeoutMs,
      );
    }

    const byPort = new Map(started.map((one) => [one.address.port, one]));
    const currentMaster = async (): Promise<RedisAddress> => {
      for (const sentinel of sentinels) {
        try {
          const [host, port] = (await ask(sentinel, (client) =>
            client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', MASTER_NAME),
          )) as [string, string];
          return { host, port: Number(port) };
        } catch {
          // Ask the next Sentinel.
        }
      }
      throw new Error('no Sentinel answered GET-MASTER-ADDR-BY-NAME');
    };
    return {
      name: MASTER_NAME,
      sentinels,
      servers: [master.address, replica.address],
      currentMaster,
      async kill(address) {
        const target = byPort.get(address.port);
        if (target === undefined) throw new Error(`no server of this topology on port ${address.port}`);
        const exited = exitOf(target.child);
        target.child.kill('SIGKILL');
        await exited;
      },
      async waitForFailover(previous, waitMs = 60_000) {
        const views = await poll(
          () => Promise.all(sentinels.map((sentinel) => sentinelView(sentinel))),
          (all) => all.every((view) => view.get('port') !== String(previous.port)),
          `every Sentinel promoting a new master in place of ${previous.port}`,
          waitMs,
        );
        const promoted = { host: views[0]!.get('ip') ?? '127.0.0.1', port: Number(views[0]!.get('port')) };
        await poll(
          () => ask(promoted, (client) => client.info('replication')),
          (info) => info.includes('role:master'),
          `the promoted server ${promoted.port} answering as a master`,
          waitMs,
        );
        return promoted;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
