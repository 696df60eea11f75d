/**
 * Many API users in one fleet: a SaaS that integrates Connexease for its customers holds one client
 * per customer's API user in every replica. `--replicas` processes (default 10) each hold one Redis
 * store and one `createConnexeaseClient` per API user (`--users`, default 1,000), all on one private
 * redis-server, against the mock API. Measured, against the per-user baselines that would not scale
 * (a connection, a timer, a channel per user):
 *
 * - Redis connections per process (one command connection + one subscriber per store);
 * - timers per process with every provider idle, and heap per provider (after full collections);
 * - a cold start of every user in every replica at once: JWTs issued (exactly one per user);
 * - steady state: Redis commands per request (`INFO commandstats`);
 * - Redis memory per API user (`MEMORY USAGE` of every key, and `used_memory`), keys per user;
 * - a revocation of one user's tokens: who refreshes (only that user), which channels carry messages,
 *   and the Redis commands one refresh costs;
 * - subscriptions standing while idle (a channel is subscribed only while someone waits on it).
 *
 * Ends with the projection for 100,000 API users on a Redis Cluster that the README's scaling section
 * quotes. Run after building the packages (`pnpm bench -- multi-tenant`, or directly):
 *   node bench/multi-tenant.ts [--users 1000] [--replicas 10] [--requests 3]
 */
import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startMockServer } from '@connexease-kit/mock-server';
import { Redis } from 'ioredis';
import { startBenchRedis } from './redis-bench-support.ts';
import type { CreateReport, ReplicaCommand, RunReport } from './support/multi-tenant-replica.ts';

const { values: flags } = parseArgs({
  options: {
    users: { type: 'string', default: '1000' },
    replicas: { type: 'string', default: '10' },
    requests: { type: 'string', default: '3' },
  },
  allowPositionals: true,
});
const USERS = Number(flags.users);
const REPLICAS = Number(flags.replicas);
const REQUESTS_PER_USER = Number(flags.requests);
/** In-flight requests per replica: enough to load the mock, few enough for 2 cores. */
const CONCURRENCY = 50;
const PROJECTED_USERS = 100_000;
const DAY_S = 86_400;

const replicaScript = fileURLToPath(new URL('./support/multi-tenant-replica.ts', import.meta.url));

interface Replica {
  child: ChildProcess;
  ask<T>(command: ReplicaCommand): Promise<T>;
}

async function startReplica(index: number, redisUrl: string, mockUrl: string): Promise<Replica> {
  const child = fork(replicaScript, [], {
    execArgv: ['--expose-gc'],
    env: {
      ...process.env,
      REDIS_URL: redisUrl,
      MOCK_URL: mockUrl,
      USERS: String(USERS),
      REPLICA: String(index),
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await once(child, 'message');
  return {
    child,
    ask: async <T>(command: ReplicaCommand): Promise<T> => {
      const answer = once(child, 'message') as Promise<[T]>;
      child.send(command);
      return (await answer)[0];
    },
  };
}

/** Every key of the store, by kind (`token`, `fence`, `quota`, `lease`, `block`), with `MEMORY USAGE`. */
async function storedKeys(
  admin: Redis,
): Promise<{ byKind: Map<string, number>; bytes: number; keys: number }> {
  const byKind = new Map<string, number>();
  let bytes = 0;
  let keys = 0;
  let cursor = '0';
  do {
    const [nextCursor, batch] = await admin.scan(cursor, 'MATCH', 'cxk:*', 'COUNT', 1000);
    cursor = nextCursor;
    const usage = await Promise.all(batch.map((key) => admin.memory('USAGE', key, 'SAMPLES', '0')));
    batch.forEach((key, index) => {
      const kind = key.slice(key.lastIndexOf(':') + 1);
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      bytes += Number(usage[index] ?? 0);
      keys++;
    });
  } while (cursor !== '0');
  return { byKind, bytes, keys };
}

async function usedMemory(admin: Redis): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(await admin.info('memory'))?.[1]);
}

/** Connections by name: the replicas' command connections and the store subscribers. */
async function connections(admin: Redis): Promise<{ command: number; subscriber: number; total: number }> {
  const lines = String(await admin.client('LIST'))
    .split('\n')
    .filter(Boolean);
  return {
    command: lines.filter((line) => line.includes(' name=multi-tenant-replica-')).length,
    subscriber: lines.filter((line) => line.includes(' name=connexease-kit:subscriber')).length,
    total: lines.length - 1, // less this admin connection
  };
}

/**
 * Commands Redis ran, from `MONITOR`: those clients sent (round trips) apart from those scripts ran
 * inside them, by command name. `INFO commandstats` counts both alike.
 */
class CommandLog {
  sent = new Map<string, number>();
  inScripts = 0;
  readonly marks = new Map<string, () => void>();

  static async start(url: string): Promise<{ log: CommandLog; stop: () => void }> {
    const log = new CommandLog();
    const base = new Redis(url);
    const monitor = await base.monitor();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source === 'lua') {
        log.inScripts++;
        return;
      }
      const name = String(args[0]).toLowerCase();
      if (name === 'echo') {
        log.marks.get(String(args[1]))?.();
        return;
      }
      if (name === 'info' || name === 'pubsub' || name === 'scan' || name === 'memory' || name === 'client')
        return;
      log.sent.set(name, (log.sent.get(name) ?? 0) + 1);
    });
    const stop = (): void => {
      monitor.disconnect();
      base.disconnect();
    };
    return { log, stop };
  }

  /** Resolves once MONITOR has shown everything Redis ran before now (it reports asynchronously). */
  async caughtUp(admin: Redis): Promise<void> {
    const mark = `mark-${crypto.randomUUID()}`;
    const seen = new Promise<void>((resolve) => this.marks.set(mark, resolve));
    await admin.echo(mark);
    await seen;
    this.marks.delete(mark);
  }

  /** Starts counting afresh. */
  reset(): void {
    this.sent = new Map();
    this.inScripts = 0;
  }

  get total(): number {
    return sum([...this.sent.values()]);
  }
}

function sum(values: number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function merged(reports: RunReport[], type: string): number[] {
  return [...new Set(reports.flatMap((report) => report.usersWith[type] ?? []))].sort((a, b) => a - b);
}

function assertAllOk(phase: string, reports: RunReport[]): void {
  const failed = sum(reports.map((report) => report.failed));
  if (failed > 0) {
    const first = reports.find((report) => report.firstError !== undefined)?.firstError;
    throw new Error(`${phase}: ${failed} requests failed (first: ${first})`);
  }
}

/** What {@link runMultiTenantBench} measured. */
export interface MultiTenantResult {
  users: number;
  replicas: number;
  connectionsPerProcess: { command: number; subscriber: number };
  connectionsTotal: number;
  timers: { beforeProviders: number; idleProviders: number; afterColdStart: number; afterSteady: number };
  heapBytesPerProvider: { idle: number; holdingToken: number };
  coldStart: {
    issues: number;
    usersIssuedOnce: number;
    ms: number;
    commands: { sent: number; inScripts: number; byName: Record<string, number> };
  };
  steady: { requests: number; commandsPerRequest: number; ms: number };
  redis: {
    keysPerUser: number;
    keysByKind: Record<string, number>;
    memoryUsageBytesPerUser: number;
    usedMemoryBytesPerUser: number;
  };
  revocation: {
    revokedUser: number;
    refreshedUsers: number[];
    issuesForRevoked: number;
    issuesForOthers: number;
    channelsWithMessages: number;
    messages: number;
    /** Commands the replicas sent for the one refresh (round trips). */
    commandsForTheRefresh: number;
    /** Commands the scripts among them ran inside Redis. */
    commandsInScripts: number;
    commandsByName: Record<string, number>;
  };
  idleSubscriptions: number;
}

export async function runMultiTenantBench(): Promise<MultiTenantResult> {
  const redis = await startBenchRedis();
  const users = Array.from({ length: USERS }, (_, index) => ({
    username: `tenant-${index}`,
    password: `pw-${index}`,
  }));
  const mock = await startMockServer({ users });
  const admin = new Redis(redis.url);
  const watcher = new Redis(redis.url);
  const replicas: Replica[] = [];
  let stopLog = (): void => {};
  try {
    const memoryBefore = await usedMemory(admin);
    for (let index = 0; index < REPLICAS; index++)
      replicas.push(await startReplica(index, redis.url, mock.url));
    const created = await Promise.all(
      replicas.map((replica) => replica.ask<CreateReport>({ type: 'create' })),
    );

    const { log, stop } = await CommandLog.start(redis.url);
    stopLog = stop;
    // Cold start: every replica sends one request per user, all at once.
    await log.caughtUp(admin);
    log.reset();
    const cold = await Promise.all(
      replicas.map((replica) =>
        replica.ask<RunReport>({ type: 'run', requestsPerUser: 1, concurrency: CONCURRENCY }),
      ),
    );
    assertAllOk('cold start', cold);
    await log.caughtUp(admin);
    const coldCommands = { sent: log.total, inScripts: log.inScripts, byName: Object.fromEntries(log.sent) };
    const afterCold = mock.control.stats();
    const issuedOnce = users.filter((user) => afterCold.issues.byUser[user.username] === 1).length;
    const linked = await connections(admin);

    // Steady state: every token held; no request should reach Redis.
    log.reset();
    const steady = await Promise.all(
      replicas.map((replica) =>
        replica.ask<RunReport>({ type: 'run', requestsPerUser: REQUESTS_PER_USER, concurrency: CONCURRENCY }),
      ),
    );
    assertAllOk('steady state', steady);
    await log.caughtUp(admin);
    const steadyCommands = log.total + log.inScripts;
    const steadyRequests = sum(steady.map((report) => report.ok));
    const idleSubscriptions = ((await admin.pubsub('CHANNELS', 'cxk:*')) as string[]).length;
    const stored = await storedKeys(admin);
    const memoryAfter = await usedMemory(admin);

    // Revocation of one user's tokens, then one request per user in every replica.
    const revoked = Math.floor(USERS / 2);
    const messages = new Map<string, number>();
    await watcher.psubscribe('cxk:*:changed');
    watcher.on('pmessage', (_pattern: string, channel: string) => {
      messages.set(channel, (messages.get(channel) ?? 0) + 1);
    });
    const issuesBefore = mock.control.stats().issues.byUser;
    mock.control.revoke({ username: users[revoked]!.username });
    log.reset();
    const revocation = await Promise.all(
      replicas.map((replica) =>
        replica.ask<RunReport>({ type: 'run', requestsPerUser: 1, concurrency: CONCURRENCY }),
      ),
    );
    assertAllOk('revocation', revocation);
    await log.caughtUp(admin);
    const revocationDelta = log.sent;
    const revocationInScripts = log.inScripts;
    const issuesAfter = mock.control.stats().issues.byUser;
    const issued = (index: number): number =>
      (issuesAfter[users[index]!.username] ?? 0) - (issuesBefore[users[index]!.username] ?? 0);

    const perProcess = (value: number): number => value / REPLICAS;
    const heapIdle = sum(created.map((report) => report.heapBytesAfter - report.heapBytesBefore));
    const heapHolding = sum(
      steady.map((report, index) => report.heapBytes - created[index]!.heapBytesBefore),
    );
    return {
      users: USERS,
      replicas: REPLICAS,
      connectionsPerProcess: {
        command: perProcess(linked.command),
        subscriber: perProcess(linked.subscriber),
      },
      connectionsTotal: linked.total,
      timers: {
        beforeProviders: Math.max(...created.map((report) => report.timersBefore)),
        idleProviders: Math.max(...created.map((report) => report.timersAfter)),
        afterColdStart: Math.max(...cold.map((report) => report.timersIdle)),
        afterSteady: Math.max(...steady.map((report) => report.timersIdle)),
      },
      heapBytesPerProvider: {
        idle: heapIdle / (USERS * REPLICAS),
        holdingToken: heapHolding / (USERS * REPLICAS),
      },
      coldStart: {
        issues: afterCold.issues.total,
        usersIssuedOnce: issuedOnce,
        ms: Math.max(...cold.map((report) => report.ms)),
        commands: coldCommands,
      },
      steady: {
        requests: steadyRequests,
        commandsPerRequest: steadyCommands / steadyRequests,
        ms: Math.max(...steady.map((report) => report.ms)),
      },
      redis: {
        keysPerUser: stored.keys / USERS,
        keysByKind: Object.fromEntries(stored.byKind),
        memoryUsageBytesPerUser: stored.bytes / USERS,
        usedMemoryBytesPerUser: (memoryAfter - memoryBefore) / USERS,
      },
      revocation: {
        revokedUser: revoked,
        refreshedUsers: merged(revocation, 'token-discarded'),
        issuesForRevoked: issued(revoked),
        issuesForOthers: sum(users.map((_, index) => (index === revoked ? 0 : issued(index)))),
        channelsWithMessages: messages.size,
        messages: sum([...messages.values()]),
        commandsForTheRefresh: sum([...revocationDelta.values()]),
        commandsInScripts: revocationInScripts,
        commandsByName: Object.fromEntries(revocationDelta),
      },
      idleSubscriptions,
    };
  } finally {
    await Promise.all(replicas.map((replica) => replica.ask({ type: 'close' }).catch(() => {})));
    stopLog();
    watcher.disconnect();
    admin.disconnect();
    await mock.close();
    await redis.close();
  }
}

/** The README's projection: the measured per-user figures times 100,000, on a Cluster. */
function projection(result: MultiTenantResult): string[] {
  const perUserCommands = result.coldStart.commands.sent / result.users;
  const bytes = result.redis.memoryUsageBytesPerUser * PROJECTED_USERS;
  const mib = (value: number): string => `${(value / 2 ** 20).toFixed(0)} MiB`;
  const refreshCommands = result.revocation.commandsForTheRefresh;
  return [
    `  projection for ${PROJECTED_USERS.toLocaleString('en')} API users (Redis Cluster; scales linearly with users):`,
    `    keys                ${(result.redis.keysPerUser * PROJECTED_USERS).toLocaleString('en')} (${result.redis.keysPerUser.toFixed(2)} per user)`,
    `    memory              ${mib(bytes)} of keys (MEMORY USAGE ${result.redis.memoryUsageBytesPerUser.toFixed(0)} B per user)`,
    `    connections         2 per store per Cluster master per process (${result.connectionsPerProcess.command} + ${result.connectionsPerProcess.subscriber} here), whatever the users`,
    `    commands/s          ${((PROJECTED_USERS * refreshCommands) / DAY_S).toFixed(1)} at one refresh per user per day (${refreshCommands} commands sent per fleet-wide refresh of ${result.replicas} replicas, plus ${result.revocation.commandsInScripts} run inside scripts)`,
    `    cold start          ${(perUserCommands * PROJECTED_USERS).toLocaleString('en')} commands (${perUserCommands.toFixed(1)} per user for ${result.replicas} replicas)`,
  ];
}

if (import.meta.main) {
  const result = await runMultiTenantBench();
  const kib = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`;
  const { revocation: revoked, timers } = result;
  const lines = [
    `multi-tenant: ${result.users} API users x ${result.replicas} replica processes, one Redis, the mock API`,
    `  connections per process   ${result.connectionsPerProcess.command} command + ${result.connectionsPerProcess.subscriber} subscriber (per-user baseline: ${result.users}); ${result.connectionsTotal} in all`,
    `  timers per process        ${timers.beforeProviders} before the providers, ${timers.idleProviders} with ${result.users} idle, ${timers.afterColdStart} after the cold start, ${timers.afterSteady} after steady state (per-user baseline: ${result.users})`,
    `  heap per provider         ${kib(result.heapBytesPerProvider.idle)} idle, ${kib(result.heapBytesPerProvider.holdingToken)} holding a token (client, ky instance, provider)`,
    `  cold start                ${result.coldStart.issues} JWTs for ${result.users} users (${result.coldStart.usersIssuedOnce} users issued exactly once) in ${(result.coldStart.ms / 1000).toFixed(1)} s; ${result.coldStart.commands.sent} Redis commands sent (+${result.coldStart.commands.inScripts} inside scripts): ${JSON.stringify(result.coldStart.commands.byName)}`,
    `  steady state              ${result.steady.commandsPerRequest.toFixed(4)} Redis commands per request over ${result.steady.requests} requests in ${(result.steady.ms / 1000).toFixed(1)} s (baseline: 1, a read per request)`,
    `  Redis per API user        ${result.redis.keysPerUser.toFixed(2)} keys ${JSON.stringify(result.redis.keysByKind)}, ${result.redis.memoryUsageBytesPerUser.toFixed(0)} B by MEMORY USAGE, ${result.redis.usedMemoryBytesPerUser.toFixed(0)} B of used_memory`,
    `  revoking user ${revoked.revokedUser}         refreshed users ${JSON.stringify(revoked.refreshedUsers)}; issues ${revoked.issuesForRevoked} for them, ${revoked.issuesForOthers} for the others`,
    `  pub/sub for that refresh  ${revoked.messages} messages on ${revoked.channelsWithMessages} channel(s) (per-fleet-channel baseline: every replica's ${result.users} providers woken); ${result.idleSubscriptions} channels subscribed while idle`,
    `  Redis for that refresh    ${revoked.commandsForTheRefresh} commands sent ${JSON.stringify(revoked.commandsByName)} (+${revoked.commandsInScripts} inside scripts)`,
    ...projection(result),
  ];
  console.log(lines.join('\n'));
}
