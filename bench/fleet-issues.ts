/**
 * JWT issues per simulated day for a fleet: N replicas that each restart R times a day and call the
 * API every 15 simulated minutes, with the Redis store and with the PostgreSQL store (the whole fleet
 * shares one token) against a
 * naive baseline where every replica caches its own token (the in-process store, lost on restart).
 *
 * A day is compressed into DAY_MS of real time (default 12 s) and the mock API issues tokens that
 * live exactly one compressed day, so a token is due once a day as in production. Real time, not a
 * virtual clock, because Redis keeps lease and quota times on its own clock. Options are scaled with
 * it: the quota window is one compressed day, and refreshes start 1.5 s (3 simulated hours) before
 * expiry, since a `Date` header's whole seconds blur a 12 s token's expiry by up to 1 s. A restart
 * closes a replica's client and store and builds new ones: everything it held in memory is gone, as
 * in a new process. Both fleets run side by side on the same seeded schedule.
 *
 * Uses a private redis-server (redis-server on PATH) and a private PostgreSQL (initdb, pg_ctl). Run after building the packages:
 *   PATH=/work/main/node_modules/.bin:$PATH node bench/fleet-issues.ts
 */
import type { TokenStore } from '@connexease-kit/auth-core';
import { type ConnexeaseClient, createConnexeaseClient } from '@connexease-kit/http-ky';
import { startMockServer } from '@connexease-kit/mock-server';
import { createPostgresTokenStore } from '@connexease-kit/token-store-postgres';
import { createRedisTokenStore } from '@connexease-kit/token-store-redis';
import { startBenchPostgres } from './postgres-bench-support.ts';
import { startBenchRedis } from './redis-bench-support.ts';

const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 12);
const RESTARTS_PER_DAY = Number(process.env.BENCH_RESTARTS ?? 3);
const DAYS = Number(process.env.BENCH_DAYS ?? 3);
/** One simulated day in real milliseconds (a whole number of seconds: token lifetimes are in seconds). */
const DAY_MS = Number(process.env.BENCH_DAY_MS ?? 12_000);
const STEPS_PER_DAY = 96;
const STEP_MS = DAY_MS / STEPS_PER_DAY;
const REFRESH_BEFORE_EXPIRY_MS = 1500;
const API_DAILY_LIMIT = 30;

/** What {@link runFleetIssuesBench} counted. */
export interface FleetIssuesBenchResult {
  replicas: number;
  restartsPerDay: number;
  days: number;
  /** POST /jwt/ issues per simulated day, with the shared Redis store. */
  sharedPerDay: number[];
  /** The same with the shared PostgreSQL store. */
  postgresPerDay: number[];
  /** The same with each replica caching its own token. */
  naivePerDay: number[];
  /** API calls that failed in either fleet (none expected). */
  failedCalls: number;
}

/** A deterministic pseudo-random sequence (mulberry32), so both runs get the same schedule. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** For every day, the steps at which each replica restarts. */
function restartSchedule(): Array<Array<Set<number>>> {
  const random = seeded(20_240_601);
  return Array.from({ length: DAYS }, () =>
    Array.from({ length: REPLICAS }, () => {
      const steps = new Set<number>();
      while (steps.size < RESTARTS_PER_DAY) steps.add(1 + Math.floor(random() * (STEPS_PER_DAY - 1)));
      return steps;
    }),
  );
}

interface Replica {
  client: ConnexeaseClient;
  store: TokenStore | undefined;
}

/** What one simulated fleet saw. */
interface SimulationResult {
  perDay: number[];
  /** API calls that failed (none expected). */
  failedCalls: number;
}

/** Runs one fleet for `DAYS` compressed days; counts the mock's issues per day. */
async function simulate(
  mode: string,
  createStore: (() => TokenStore) | undefined,
  schedule: Array<Array<Set<number>>>,
): Promise<SimulationResult> {
  const username = `fleet-${mode}`;
  // The mock's own limit is lifted so the baseline can be counted past the ban it would get.
  const mock = await startMockServer({
    users: [{ username, password: 'bench-password' }],
    tokenLifetimeSeconds: DAY_MS / 1000,
    quota: { limit: 1_000_000 },
  });
  const start = (): Replica => {
    const store = createStore?.();
    const client = createConnexeaseClient({
      baseUrl: mock.url,
      credentials: { username, password: 'bench-password' },
      quota: { limit: 25, windowMs: DAY_MS },
      refreshBeforeExpiryMs: REFRESH_BEFORE_EXPIRY_MS,
      ...(store === undefined ? {} : { store }),
    });
    return { client, store };
  };
  const stop = async ({ client, store }: Replica): Promise<void> => {
    await client.auth.close();
    await store?.close();
  };

  let failedCalls = 0;
  const replicas = Array.from({ length: REPLICAS }, start);
  const startedAt = Date.now();
  try {
    for (let step = 0; step < DAYS * STEPS_PER_DAY; step++) {
      const day = Math.floor(step / STEPS_PER_DAY);
      for (let index = 0; index < REPLICAS; index++) {
        if (!schedule[day]![index]!.has(step % STEPS_PER_DAY)) continue;
        await stop(replicas[index]!);
        replicas[index] = start();
      }
      const calls = await Promise.allSettled(
        replicas.map(({ client }) => client.api.get('some/endpoint/').json()),
      );
      failedCalls += calls.filter((call) => call.status === 'rejected').length;
      const nextStepAt = startedAt + (step + 1) * STEP_MS;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, nextStepAt - Date.now())));
    }
  } finally {
    await Promise.all(replicas.map(stop));
    await mock.close();
  }
  const perDay = Array.from({ length: DAYS }, () => 0);
  for (const at of mock.control.stats().issueTimes[username] ?? []) {
    const day = Math.min(DAYS - 1, Math.floor((at - startedAt) / DAY_MS));
    perDay[Math.max(0, day)]! += 1;
  }
  return { perDay, failedCalls };
}

/** Runs both fleets side by side on the same schedule. */
export async function runFleetIssuesBench(): Promise<FleetIssuesBenchResult> {
  const redis = await startBenchRedis();
  const postgres = await startBenchPostgres();
  const schedule = restartSchedule();
  try {
    const migrator = createPostgresTokenStore({ connectionString: postgres.url });
    await migrator.migrate();
    await migrator.close();
    const [shared, sharedPostgres, naive] = await Promise.all([
      simulate('shared', () => createRedisTokenStore({ url: redis.url }), schedule),
      simulate(
        'postgres',
        () => createPostgresTokenStore({ connectionString: postgres.url, maxConnections: 2 }),
        schedule,
      ),
      simulate('naive', undefined, schedule),
    ]);
    return {
      replicas: REPLICAS,
      restartsPerDay: RESTARTS_PER_DAY,
      days: DAYS,
      sharedPerDay: shared.perDay,
      postgresPerDay: sharedPostgres.perDay,
      naivePerDay: naive.perDay,
      failedCalls: shared.failedCalls + sharedPostgres.failedCalls + naive.failedCalls,
    };
  } finally {
    await redis.close();
    await postgres.destroy();
  }
}

if (import.meta.main) {
  const result = await runFleetIssuesBench();
  const average = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const shared = average(result.sharedPerDay);
  const naive = average(result.naivePerDay);
  console.log(
    `fleet-issues: ${result.replicas} replicas, ${result.restartsPerDay} restarts each per day, a call every 15 min, ` +
      `${result.days} simulated days (1 day = ${DAY_MS / 1000} s, tokens live 1 day); failed calls: ${result.failedCalls}`,
  );
  console.log(
    `  shared Redis store        issues per day: ${result.sharedPerDay.join(', ')}  (average ${shared.toFixed(1)})`,
  );
  const postgresAverage = average(result.postgresPerDay);
  console.log(
    `  shared PostgreSQL store   issues per day: ${result.postgresPerDay.join(', ')}  (average ${postgresAverage.toFixed(1)})`,
  );
  console.log(
    `  naive per-replica cache   issues per day: ${result.naivePerDay.join(', ')}  (average ${naive.toFixed(1)})`,
  );
  console.log(`  ratio naive / shared PostgreSQL: ${(naive / postgresAverage).toFixed(1)}x`);
  console.log(
    `  ratio naive / shared: ${(naive / shared).toFixed(1)}x; the API bans at ${API_DAILY_LIMIT + 1} a day: ` +
      `naive ${Math.max(...result.naivePerDay) > API_DAILY_LIMIT ? 'would be banned' : 'stays under it'}, ` +
      `shared ${Math.max(...result.sharedPerDay) > API_DAILY_LIMIT ? 'would be banned' : 'stays under it'}`,
  );
}
