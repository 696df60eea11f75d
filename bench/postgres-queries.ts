/**
 * Store round trips per API request, PostgreSQL beside Redis in the same run:
 *
 * - with a token held (steady state, 10,000 requests through `createConnexeaseClient`): the target is 0,
 *   the hot path answers from memory;
 * - per refresh: a token revoked on the server, one API request that gets the 401, refreshes fleet-wide
 *   (lease, reservation, issue, write) and retries.
 *
 * PostgreSQL statements are counted by a pool wrapper (every store call is one statement); Redis commands
 * by `INFO commandstats` deltas. Both use servers of their own (a private PostgreSQL from initdb, a private
 * redis-server). Run after building the packages: node bench/postgres-queries.ts
 */
import type { TokenStore } from '@connexease-kit/auth-core';
import { createConnexeaseClient } from '@connexease-kit/http-ky';
import { startMockServer } from '@connexease-kit/mock-server';
import { createPostgresTokenStore } from '@connexease-kit/token-store-postgres';
import { createRedisTokenStore } from '@connexease-kit/token-store-redis';
import { countingPool, startBenchPostgres } from './postgres-bench-support.ts';
import { commandDelta, commandStats, startBenchRedis } from './redis-bench-support.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000);
const REFRESHES = Number(process.env.BENCH_REFRESHES ?? 5);
const CONCURRENCY = 20;

interface StoreUnderTest {
  name: string;
  store: TokenStore;
  /** Round trips to the store's server so far. */
  roundTrips(): Promise<number>;
  close(): Promise<void>;
}

/** What one store cost. */
export interface QueriesResult {
  name: string;
  perRequestHeld: number;
  perRefresh: number;
}

async function drive(requests: number, call: () => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < requests) {
        next++;
        await call();
      }
    }),
  );
}

async function measure(subject: StoreUnderTest): Promise<QueriesResult> {
  const username = `bench-${subject.name}`;
  const mock = await startMockServer({ users: [{ username, password: 'bench-password' }] });
  const { api, auth } = createConnexeaseClient({
    baseUrl: mock.url,
    credentials: { username, password: 'bench-password' },
    store: subject.store,
    // A 401 on a young token refreshes (this option goes away once the first 401 always refreshes).
    ...({ rejectedTokenMinAgeMs: 500 } as object),
  });
  try {
    // Warm-up: the one issue, the connection, the schema check, the JIT.
    await drive(500, () => api.get('bench/').json());
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = await subject.roundTrips();
    await drive(REQUESTS, () => api.get('bench/').json());
    const held = (await subject.roundTrips()) - before;

    let refreshTrips = 0;
    for (let index = 0; index < REFRESHES; index++) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      mock.control.revoke({ username });
      const start = await subject.roundTrips();
      await api.get('bench/').json();
      refreshTrips += (await subject.roundTrips()) - start;
    }
    if (mock.control.stats().issues.total !== REFRESHES + 1) throw new Error(`${subject.name}: unexpected issues`);
    return { name: subject.name, perRequestHeld: held / REQUESTS, perRefresh: refreshTrips / REFRESHES };
  } finally {
    await auth.close();
    await subject.close();
    await mock.close();
  }
}

export async function runPostgresQueriesBench(): Promise<QueriesResult[]> {
  const postgres = await startBenchPostgres();
  const redis = await startBenchRedis();
  try {
    const counting = countingPool(postgres.url);
    const pgStore = createPostgresTokenStore({ pool: counting.pool, schema: 'bench' });
    await pgStore.migrate();
    const pgResult = await measure({
      name: 'postgres',
      store: pgStore,
      roundTrips: async () => counting.count,
      close: async () => {
        await pgStore.close();
        await counting.end();
      },
    });
    const redisStore = createRedisTokenStore({ url: redis.url });
    const total = async (): Promise<number> => {
      let sum = 0;
      for (const calls of commandDelta(new Map(), await commandStats(redis)).values()) sum += calls;
      return sum;
    };
    const redisResult = await measure({
      name: 'redis',
      store: redisStore,
      roundTrips: total,
      close: () => redisStore.close(),
    });
    return [pgResult, redisResult];
  } finally {
    await redis.close();
    await postgres.destroy();
  }
}

if (import.meta.main) {
  const results = await runPostgresQueriesBench();
  console.log(
    `postgres-queries: ${REQUESTS} API requests with a token held (${CONCURRENCY} at a time), then ${REFRESHES} refreshes forced by a revocation`,
  );
  for (const result of results) {
    const unit = result.name === 'postgres' ? 'statements' : 'commands';
    console.log(
      `  ${result.name.padEnd(9)} ${result.perRequestHeld.toFixed(4)} ${unit}/request with a token held (target 0)   ${result.perRefresh.toFixed(1)} ${unit} per refresh`,
    );
  }
  const [pgResult, redisResult] = results;
  console.log(`  ratio postgres / redis per refresh: ${(pgResult!.perRefresh / redisResult!.perRefresh).toFixed(2)}x`);
}
