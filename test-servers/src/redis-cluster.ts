import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { type PrivateRedis, startPrivateRedis } from './private-redis.ts';
import { freePort, INSTALL_HINT } from './redis-process.ts';

const run = promisify(execFile);

/** A real Redis Cluster of this test alone. */
export interface RedisClusterHandle {
  /** Master addresses, for `new Cluster(nodes)` or a child process's configuration. */
  readonly nodes: ReadonlyArray<{ host: string; port: number }>;
  /** The servers themselves (stop one to test a failed shard). */
  readonly servers: readonly PrivateRedis[];
  /** Kills every node and removes their directories. Safe to call twice. */
  close(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Number of masters (no replicas). Default 3, the minimum `redis-cli --cluster create` accepts. */
  masters?: number;
  /** How long to wait for `cluster_state:ok` on every node. Default 30 s. */
  readyTimeoutMs?: number;
}

async function clusterState(host: string, port: number): Promise<string> {
  const client = new Redis({ host, port, lazyConnect: true, maxRetriesPerRequest: 0, protocol: 2 });
  client.on('error', () => {});
  try {
    await client.connect();
    const info = await client.cluster('INFO');
    return /cluster_state:(\w+)/.exec(String(info))?.[1] ?? 'unknown';
  } finally {
    client.disconnect();
  }
}

async function waitForClusterOk(nodes: RedisClusterHandle['nodes'], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const states = await Promise.all(
      nodes.map(({ host, port }) => clusterState(host, port).catch(() => 'down')),
    );
    if (states.every((state) => state === 'ok')) return;
    if (Date.now() >= deadline) {
      throw new Error(
        `Redis Cluster did not reach cluster_state:ok within ${timeoutMs} ms: ${states.join(', ')}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts `masters` cluster-enabled redis-servers on free ports (each with its own bus port and
 * config file in its temp dir), joins them with `redis-cli --cluster create`, and waits until every
 * node reports `cluster_state:ok`. Start it once per test file (beforeAll): it takes a few seconds.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const masters = options.masters ?? 3;
  const servers: PrivateRedis[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(servers.map((server) => server.close()));
  };
  try {
    for (let i = 0; i < masters; i++) {
      const busPort = await freePort();
      servers.push(
        await startPrivateRedis({
          args: [
            '--cluster-enabled',
            'yes',
            '--cluster-config-file',
            'nodes.conf',
            '--cluster-port',
            String(busPort),
            '--cluster-node-timeout',
            '5000',
          ],
        }),
      );
    }
    const nodes = servers.map(({ host, port }) => ({ host, port }));
    try {
      await run('redis-cli', [
        '--cluster',
        'create',
        ...nodes.map(({ host, port }) => `${host}:${port}`),
        '--cluster-replicas',
        '0',
        '--cluster-yes',
      ]);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw code === 'ENOENT'
        ? new Error(`redis-cli was not found: ${INSTALL_HINT}.`)
        : new Error(`redis-cli --cluster create failed: ${(error as Error).message}`);
    }
    await waitForClusterOk(nodes, options.readyTimeoutMs ?? 30_000);
    return { nodes, servers, close };
  } catch (error) {
    await close();
    throw error;
  }
}
