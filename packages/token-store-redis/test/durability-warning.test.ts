import type { AuthEvent } from '@connexease-kit/auth-core';
import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { eventually } from '@connexease-kit/token-store-conformance';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { checkDurability } from '../src/durability-check.ts';
import { createRedisTokenStore, type RedisTokenStore, type RedisTokenStoreLogger } from '../src/index.ts';
import { exerciseEveryOperation } from './support/exercise.ts';

interface Recorder {
  events: AuthEvent[];
  warnings: string[];
  debugLines: string[];
  logger: RedisTokenStoreLogger;
}

function recorder(): Recorder {
  const recorded: Recorder = {
    events: [],
    warnings: [],
    debugLines: [],
    logger: {
      warn: (message) => recorded.warnings.push(message),
      debug: (message) => recorded.debugLines.push(message),
    },
  };
  return recorded;
}

/** The durability check ends with a warning or with one debug line about persistence. */
function durabilityCheckFinished(recorded: Recorder): Promise<unknown> {
  return eventually(
    async () =>
      recorded.warnings.filter((line) => line.includes('durable')).length +
      recorded.debugLines.filter((line) => /persistence|keeps writes/.test(line)).length,
    (count) => count > 0,
    { timeoutMs: 10_000, description: 'the durability check finished' },
  );
}

describe('durability check at start-up', () => {
  const servers: PrivateRedis[] = [];
  const closers: Array<() => Promise<unknown>> = [];

  async function server(args: readonly string[]): Promise<PrivateRedis> {
    const started = await startPrivateRedis({ args });
    servers.push(started);
    return started;
  }

  function recordedStore(url: string, redisOptions = {}): { store: RedisTokenStore; recorded: Recorder } {
    const recorded = recorder();
    const store = createRedisTokenStore({
      url,
      redisOptions,
      onEvent: (event) => recorded.events.push(event),
      logger: recorded.logger,
    });
    closers.push(() => store.close());
    return { store, recorded };
  }

  afterEach(async () => {
    for (const close of closers.splice(0)) await close();
  });
  afterAll(async () => {
    for (const started of servers) await started.close();
  });

  let volatile: PrivateRedis;
  beforeAll(async () => {
    // Persistence off and no replica: what the repository's own test Redis looks like.
    volatile = await server([]);
  });

  it('warns exactly once, through onEvent and the logger, when Redis has neither an AOF nor a replica', async () => {
    const { store, recorded } = recordedStore(volatile.url);
    await durabilityCheckFinished(recorded);
    await exerciseEveryOperation(store, `durability-${crypto.randomUUID()}`);

    expect(recorded.events).toHaveLength(1);
    const message = (recorded.events[0] as { message: string }).message;
    expect(recorded.events[0]).toMatchObject({ type: 'warning' });
    expect(message).toContain('appendonly no, 0 connected replicas');
    expect(message).toMatch(/quota/);
    expect(message).toContain('appendfsync everysec');
    expect(message).toContain('Durability');
    expect(recorded.warnings).toEqual([message]);
  });

  it('an onEvent listener that throws does not keep the warning from the logger', async () => {
    const recorded = recorder();
    const store = createRedisTokenStore({
      url: volatile.url,
      onEvent: () => {
        throw new Error('a listener that breaks');
      },
      logger: recorded.logger,
    });
    closers.push(() => store.close());
    await durabilityCheckFinished(recorded);
    expect(recorded.warnings).toEqual([expect.stringContaining('appendonly no')]);
  });

  it('with startupChecks: false, runs neither start-up check: no warning, no debug line', async () => {
    const quiet = recorder();
    const store = createRedisTokenStore({
      url: volatile.url,
      startupChecks: false,
      onEvent: (event) => quiet.events.push(event),
      logger: quiet.logger,
    });
    closers.push(() => store.close());
    await exerciseEveryOperation(store, `no-checks-${crypto.randomUUID()}`);
    // A store with the checks, started after the quiet one was ready, finishes its own: the quiet
    // one's would have finished by then too.
    const { recorded: checked } = recordedStore(volatile.url);
    await durabilityCheckFinished(checked);
    expect(checked.warnings).toEqual([expect.stringContaining('appendonly no')]);
    expect(quiet.events).toEqual([]);
    expect(quiet.warnings).toEqual([]);
    expect(quiet.debugLines.filter((line) => /persistence|eviction|maxmemory/.test(line))).toEqual([]);
  });

  it('warns over RESP3 with the "resp3" reply mapping too', async () => {
    const { recorded } = recordedStore(volatile.url, { protocol: 3, replyMapping: 'resp3' });
    await durabilityCheckFinished(recorded);
    expect(recorded.warnings).toEqual([expect.stringContaining('appendonly no')]);
  });

  it('warns when the append-only file is never fsynced (appendfsync no)', async () => {
    const lazy = await server(['--appendonly', 'yes', '--appendfsync', 'no']);
    const { recorded } = recordedStore(lazy.url);
    await durabilityCheckFinished(recorded);
    expect(recorded.warnings).toEqual([expect.stringContaining('appendonly yes but appendfsync no')]);
  });

  it.each([['everysec'], ['always']])(
    'says nothing but a debug line with an append-only file fsynced %s',
    async (appendfsync) => {
      const durable = await server(['--appendonly', 'yes', '--appendfsync', appendfsync]);
      const { recorded } = recordedStore(durable.url);
      await durabilityCheckFinished(recorded);
      expect(recorded.events).toEqual([]);
      expect(recorded.warnings).toEqual([]);
      expect(recorded.debugLines).toContainEqual(expect.stringContaining(`appendfsync ${appendfsync}`));
    },
  );

  it('says nothing but a debug line when a replica is connected (no AOF)', async () => {
    const master = await server([]);
    const replica = await server(['--replicaof', master.host, String(master.port)]);
    const admin = new Redis(master.url);
    closers.push(async () => admin.disconnect());
    await eventually(
      async () => admin.info('replication'),
      (info) => /connected_slaves:1/.test(info),
      { timeoutMs: 20_000, description: `the replica on ${replica.port} connected` },
    );
    const { recorded } = recordedStore(master.url);
    await durabilityCheckFinished(recorded);
    expect(recorded.events).toEqual([]);
    expect(recorded.debugLines).toContainEqual(expect.stringContaining('1 connected replica'));
  });

  it('with CONFIG disabled (managed Redis) it still reads INFO: warns without AOF, stays quiet with it', async () => {
    const managedVolatile = await server(['--rename-command', 'CONFIG', '']);
    const managedAof = await server(['--rename-command', 'CONFIG', '', '--appendonly', 'yes']);
    const withoutAof = recordedStore(managedVolatile.url);
    const withAof = recordedStore(managedAof.url);
    await durabilityCheckFinished(withoutAof.recorded);
    await durabilityCheckFinished(withAof.recorded);

    expect(withoutAof.recorded.warnings).toEqual([expect.stringContaining('appendonly no')]);
    expect(withAof.recorded.warnings).toEqual([]);
    expect(withAof.recorded.debugLines).toContainEqual(expect.stringContaining('CONFIG is disabled'));
  });

  it('reports "skipped", never throws, when INFO is disabled too', async () => {
    const locked = await server(['--rename-command', 'CONFIG', '', '--rename-command', 'INFO', '']);
    // ioredis itself needs INFO for its ready check, so such a server only works without it.
    const client = new Redis(locked.url, { enableReadyCheck: false });
    closers.push(async () => client.disconnect());
    expect(await checkDurability(client)).toEqual({
      status: 'skipped',
      reason: expect.stringContaining('unknown command'),
    });
  });

  it('without onEvent or logger the warning goes to process.emitWarning, once per process', async () => {
    const emitWarning = vi.spyOn(process, 'emitWarning').mockImplementation(() => {});
    closers.push(async () => emitWarning.mockRestore());
    const durabilityWarnings = () =>
      emitWarning.mock.calls.filter(([, options]) => {
        return (options as { code?: string } | undefined)?.code === 'CONNEXEASE_REDIS_DURABILITY';
      });
    const first = createRedisTokenStore({ url: volatile.url });
    closers.push(() => first.close());
    await eventually(
      async () => durabilityWarnings().length,
      (count) => count > 0,
      { timeoutMs: 10_000, description: 'process.emitWarning was called' },
    );
    // A second store of the same process against the same Redis: checked, but not printed again.
    const second = createRedisTokenStore({ url: volatile.url });
    closers.push(() => second.close());
    await exerciseEveryOperation(second, `durability-second-${crypto.randomUUID()}`);
    await new Promise((resolve) => setTimeout(resolve, 200));

    expect(durabilityWarnings()).toEqual([
      [expect.stringContaining('appendonly no'), { code: 'CONNEXEASE_REDIS_DURABILITY' }],
    ]);
  });
});
