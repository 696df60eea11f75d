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
  /** What the server executed so far: PostgreSQL statements, or Redis commands (those inside Lua scripts included). */
  serverWork(): Promise<number>;
  close(): Promise<void>;
}

/** One phase's cost per unit (request or refresh). */
interface Cost {
  /** `TokenStore` calls the provider made: one round trip each for both stores. */
  storeCalls: number;
  /** What the server executed. */
  serverWork: number;
}

/** What one store cost. */
export interface QueriesResult {
  name: string;
  held: Cost;
  refresh: Cost;
}

/** `store` with every call counted (the provider's round trips to the store). */
function countCalls(store: TokenStore): { store: TokenStore; readonly calls: number } {
  let calls = 0;
  const counted = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || property === 'close') return value;
      return (...args: unknown[]) => {
        calls++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store: counted,
    get calls() {
      return calls;
    },
  };
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
  const counted = countCalls(subject.store);
  const snapshot = async (): Promise<Cost> => ({
    storeCalls: counted.calls,
    serverWork: await subject.serverWork(),
  });
  const since = async (start: Cost): Promise<Cost> => {
    const now = await snapshot();
    return { storeCalls: now.storeCalls - start.storeCalls, serverWork: now.serverWork - start.serverWork };
  };
  const { api, auth } = createConnexeaseClient({
    baseUrl: mock.url,
    credentials: { username, password: 'bench-password' },
    store: counted.store,
  });
  try {
    // Warm-up: the one issue, the connection, the schema check, the JIT.
    await drive(500, () => api.get('bench/').json());
    await new Promise((resolve) => setTimeout(resolve, 200));
    const before = await snapshot();
    await drive(REQUESTS, () => api.get('bench/').json());
    const held = await since(before);

    const refresh: Cost = { storeCalls: 0, serverWork: 0 };
    for (let index = 0; index < REFRESHES; index++) {
      await new Promise((resolve) => setTimeout(resolve, 600));
      mock.control.revoke({ username });
      const start = await snapshot();
      await api.get('bench/').json();
      const cost = await since(start);
      refresh.storeCalls += cost.storeCalls;
      refresh.serverWork += cost.serverWork;
    }
    if (mock.control.stats().issues.total !== REFRESHES + 1)
      throw new Error(`${subject.name}: unexpected issues`);
    return {
      name: subject.name,
      held: { storeCalls: held.storeCalls / REQUESTS, serverWork: held.serverWork / REQUESTS },
      refresh: { storeCalls: refresh.storeCalls / REFRESHES, serverWork: refresh.serverWork / REFRESHES },
    };
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
      serverWork: async () => counting.count,
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
      serverWork: total,
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
  console.log(
    '  store calls = round trips from the provider; server work = PostgreSQL statements / Redis commands (inside Lua included)',
  );
  for (const { name, held, refresh } of results) {
    console.log(
      `  ${name.padEnd(9)} token held: ${held.storeCalls.toFixed(4)} store calls, ${held.serverWork.toFixed(4)} server work per request (target 0)` +
        `   per refresh: ${refresh.storeCalls.toFixed(1)} store calls, ${refresh.serverWork.toFixed(1)} server work`,
    );
  }
  const [pgResult, redisResult] = results;
  console.log(
    `  ratio postgres / redis per refresh: store calls ${(pgResult!.refresh.storeCalls / redisResult!.refresh.storeCalls).toFixed(2)}x`,
  );
}
