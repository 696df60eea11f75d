/**
 * How soon waiting replicas hold the leader's token, PostgreSQL beside Redis in the same run: 8 waiter
 * stores (each with its own connections, as 8 processes would have) wait in `waitForToken`; a leader
 * store writes the token; each waiter's delay is measured from the start of the leader's `writeToken`
 * to its wait resolving with that token. Per round the slowest waiter counts (the fleet is served when
 * the last one is). Two modes, interleaved round by round:
 *
 * - notify: the store as shipped (PostgreSQL LISTEN/NOTIFY, Redis pub/sub; each with its 1 s fallback poll);
 * - poll-only: `readToken` every 50-100 % of 1 s, what a store without notifications does.
 *
 * Servers of its own: a private PostgreSQL (initdb) and a private redis-server. Run after building:
 *   node bench/postgres-wakeups.ts
 */
import type { TokenStore } from '@connexease-kit/auth-core';
import { isSameTokenRecord, type Lease, type TokenRecord } from '@connexease-kit/auth-core/store';
import { createPostgresTokenStore } from '@connexease-kit/token-store-postgres';
import { createRedisTokenStore } from '@connexease-kit/token-store-redis';
import { startBenchPostgres } from './postgres-bench-support.ts';
import { percentile, startBenchRedis } from './redis-bench-support.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);
const WAITERS = 8;
const POLL_INTERVAL_MS = 1000;

type Mode = 'notify' | 'poll-only';

/** p50/p99 of the slowest waiter per round, per mode, in ms. */
export interface WakeupResult {
  store: string;
  notify: { p50: number; p99: number };
  pollOnly: { p50: number; p99: number };
}

/** Waiting by polling `readToken` alone, as a store without notifications would. */
async function pollUntilChanged(
  store: TokenStore,
  ns: string,
  known: TokenRecord | null,
): Promise<TokenRecord | null> {
  for (;;) {
    const current = await store.readToken(ns);
    if (!isSameTokenRecord(current, known)) return current;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS * (0.5 + Math.random() * 0.5)));
  }
}

async function round(mode: Mode, leader: TokenStore, waiters: TokenStore[]): Promise<number> {
  const ns = `bench-${crypto.randomUUID()}`;
  const woken = waiters.map((store) =>
    (mode === 'notify'
      ? store.waitForToken(ns, { known: null, timeoutMs: 30_000 })
      : pollUntilChanged(store, ns, null)
    ).then((record) => ({ record, at: performance.now() })),
  );
  // Let every waiter subscribe and make its first read, as replicas that lost the lease race would have.
  await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
  const lease = (await leader.acquireLease(ns, { ttlMs: 30_000 })) as Lease;
  const now = Date.now();
  const record = {
    value: `jwt.${crypto.randomUUID()}`,
    issuedAt: now,
    expiresAt: now + 3_600_000,
    fence: lease.fence,
  };
  const startedAt = performance.now();
  if (!(await leader.writeToken(ns, lease, record))) throw new Error('the leader could not write');
  const results = await Promise.all(woken);
  if (results.some(({ record: got }) => got?.value !== record.value))
    throw new Error('a waiter missed the token');
  return Math.max(...results.map(({ at }) => at - startedAt));
}

async function measure(name: string, create: () => TokenStore): Promise<WakeupResult> {
  const leader = create();
  const waiters = Array.from({ length: WAITERS }, create);
  const samples: Record<Mode, number[]> = { notify: [], 'poll-only': [] };
  try {
    // One unmeasured round per mode: connections, LISTEN/SUBSCRIBE, the JIT.
    await round('notify', leader, waiters);
    await round('poll-only', leader, waiters);
    for (let index = 0; index < ROUNDS; index++) {
      const order: Mode[] = index % 2 === 0 ? ['notify', 'poll-only'] : ['poll-only', 'notify'];
      for (const mode of order) samples[mode].push(await round(mode, leader, waiters));
    }
  } finally {
    await Promise.all([leader, ...waiters].map((store) => store.close()));
  }
  const summary = (values: number[]) => ({ p50: percentile(values, 50), p99: percentile(values, 99) });
  return { store: name, notify: summary(samples.notify), pollOnly: summary(samples['poll-only']) };
}

export async function runPostgresWakeupsBench(): Promise<WakeupResult[]> {
  const postgres = await startBenchPostgres();
  const redis = await startBenchRedis();
  try {
    const migrator = createPostgresTokenStore({ connectionString: postgres.url, schema: 'bench' });
    await migrator.migrate();
    await migrator.close();
    const pgResult = await measure('postgres', () =>
      createPostgresTokenStore({
        connectionString: postgres.url,
        schema: 'bench',
        pollIntervalMs: POLL_INTERVAL_MS,
        maxConnections: 2,
      }),
    );
    const redisResult = await measure('redis', () =>
      createRedisTokenStore({ url: redis.url, pollIntervalMs: POLL_INTERVAL_MS }),
    );
    return [pgResult, redisResult];
  } finally {
    await redis.close();
    await postgres.destroy();
  }
}

if (import.meta.main) {
  const results = await runPostgresWakeupsBench();
  const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;
  console.log(
    `postgres-wakeups: ${ROUNDS} rounds per mode, ${WAITERS} waiting stores; leader's writeToken -> the last waiter holds the token`,
  );
  for (const { store, notify, pollOnly } of results) {
    console.log(
      `  ${store.padEnd(9)} notify p50 ${ms(notify.p50)} p99 ${ms(notify.p99)}   poll-only (${POLL_INTERVAL_MS} ms) p50 ${ms(pollOnly.p50)} p99 ${ms(pollOnly.p99)}   ratio poll-only / notify p50 ${(pollOnly.p50 / notify.p50).toFixed(1)}x`,
    );
  }
  const [pgResult, redisResult] = results;
  console.log(
    `  ratio postgres / redis (notify): p50 ${(pgResult!.notify.p50 / redisResult!.notify.p50).toFixed(2)}x, p99 ${(pgResult!.notify.p99 / redisResult!.notify.p99).toFixed(2)}x`,
  );
}
