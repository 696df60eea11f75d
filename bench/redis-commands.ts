/**
 * Redis commands per API request in steady state: `INFO commandstats` deltas around 10,000 requests
 * through `createConnexeaseClient` with the Redis store and a token already held. The hot path should
 * cost no Redis command at all. For scale, the same client with one extra `beforeRequest` hook that
 * reads the shared token from the store on every request (what a shared cache without an in-memory
 * copy does) runs the same requests.
 *
 * Uses a private redis-server (redis-server and redis-cli on PATH), so other processes' commands do
 * not count. Run after building the packages:
 *   PATH=/work/main/node_modules/.bin:$PATH node bench/redis-commands.ts
 */
import { createConnexeaseClient } from '@connexease-kit/http-ky';
import { startMockServer } from '@connexease-kit/mock-server';
import { createRedisTokenStore } from '@connexease-kit/token-store-redis';
import { commandDelta, commandStats, startBenchRedis } from './redis-bench-support.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 10_000);
const CONCURRENCY = 20;

/** What {@link runRedisCommandsBench} measured. */
export interface RedisCommandsBenchResult {
  requests: number;
  /** Redis commands per request through `createConnexeaseClient` (target 0). */
  oursPerRequest: number;
  /** Redis commands per request when the token is read from the store for every request. */
  baselinePerRequest: number;
  /** Commands seen during our run, by name. */
  oursByCommand: Record<string, number>;
  /** POST /jwt/ requests during the whole benchmark. */
  issues: number;
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

/** Runs the benchmark against its own Redis and mock API; returns commands per request. */
export async function runRedisCommandsBench(): Promise<RedisCommandsBenchResult> {
  const redis = await startBenchRedis();
  const mock = await startMockServer({ users: [{ username: 'bench', password: 'bench-password' }] });
  const store = createRedisTokenStore({ url: redis.url });
  const { api, auth } = createConnexeaseClient({
    baseUrl: mock.url,
    credentials: { username: 'bench', password: 'bench-password' },
    store,
  });
  try {
    // Warm-up: the one issue, the scripts, the connection, the start-up eviction check, the JIT.
    await drive(500, () => api.get('bench/').json());
    const { namespace } = await auth.status();
    await new Promise((resolve) => setTimeout(resolve, 200));

    const before = await commandStats(redis);
    await drive(REQUESTS, () => api.get('bench/').json());
    const ours = commandDelta(before, await commandStats(redis));

    // The baseline: the same client, plus a read of the shared token on every request.
    const readEveryTime = api.extend({
      hooks: {
        beforeRequest: [
          async ({ request }) => {
            const record = await store.readToken(namespace);
            if (record !== null) request.headers.set('authorization', `JWT ${record.value}`);
          },
        ],
      },
    });
    const baselineBefore = await commandStats(redis);
    await drive(REQUESTS, () => readEveryTime.get('bench/').json());
    const baseline = commandDelta(baselineBefore, await commandStats(redis));

    const total = (delta: Map<string, number>): number => [...delta.values()].reduce((a, b) => a + b, 0);
    return {
      requests: REQUESTS,
      oursPerRequest: total(ours) / REQUESTS,
      baselinePerRequest: total(baseline) / REQUESTS,
      oursByCommand: Object.fromEntries(ours),
      issues: mock.control.stats().issues.total,
    };
  } finally {
    await auth.close();
    await store.close();
    await mock.close();
    await redis.close();
  }
}

if (import.meta.main) {
  const result = await runRedisCommandsBench();
  console.log(`redis-commands: ${result.requests} API requests, ${CONCURRENCY} at a time, token held`);
  console.log(
    `  createConnexeaseClient + Redis store   ${result.oursPerRequest.toFixed(4)} Redis commands/request (target 0)`,
  );
  console.log(`    by command: ${JSON.stringify(result.oursByCommand)}`);
  console.log(
    `  baseline: shared token read per call   ${result.baselinePerRequest.toFixed(4)} Redis commands/request`,
  );
  console.log(`  POST /jwt/ issues during the run: ${result.issues}`);
}
