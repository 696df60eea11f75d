/**
 * Cold-start herd on the Redis store: 8 replica processes × 200 concurrent requests, released
 * together. Measured per round, from the leader's token write (the start of its `writeToken` call):
 *
 * - to the last other replica's first successful request (what the brief asks; it includes 1,600
 *   requests queueing at one mock API process, so it mostly measures that queue);
 * - to the last other replica holding the token (its `reused-from-store` event): the wake-up itself,
 *   i.e. how long the losers of the lease race sleep after the token exists.
 *
 * Two modes, interleaved round by round:
 *
 * - notify: the store as shipped (pub/sub wake-up, plus its 1 s fallback poll);
 * - poll-only: the same store with `waitForToken` replaced by a plain poll of `readToken` every
 *   50-100 % of 1 s (the store has no option to turn pub/sub off, so the replica fixture wraps it).
 *
 * Prints p50/p99 over the rounds and the ratio poll-only / notify. Uses a private redis-server and
 * the fleet-test harness (integration/test/fleet). Run after
 * building the packages:
 *   PATH=/work/main/node_modules/.bin:$PATH node bench/redis-herd.ts
 */
import { randomUUID } from 'node:crypto';
import { replicaConfigs, startFleet } from '@connexease-kit/integration/fleet';
import { startMockServer } from '@connexease-kit/mock-server';
import { percentile, startBenchRedis } from './redis-bench-support.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 8);
const REPLICAS = 8;
const REQUESTS = 200;
const POLL_INTERVAL_MS = 1000;

type Mode = 'notify' | 'poll-only';

/** p50, p99 and the samples (one per round) of one measurement, in milliseconds. */
export interface HerdSamples {
  p50: number;
  p99: number;
  samples: number[];
}

/** One measurement in both modes, and poll-only / notify ratios. */
export interface HerdComparison {
  notify: HerdSamples;
  pollOnly: HerdSamples;
  ratioP50: number;
  ratioP99: number;
}

/** What {@link runRedisHerdBench} measured. */
export interface RedisHerdBenchResult {
  rounds: number;
  /** Token write to the last waiter's first successful request. */
  firstSuccess: HerdComparison;
  /** Token write to the last waiter holding the token (`reused-from-store`). */
  tokenInHand: HerdComparison;
}

/** Runs the benchmark: `ROUNDS` cold starts per mode; returns the wake-up delays. */
export async function runRedisHerdBench(): Promise<RedisHerdBenchResult> {
  const redis = await startBenchRedis();
  const mock = await startMockServer();
  const firstSuccess: Record<Mode, number[]> = { notify: [], 'poll-only': [] };
  const tokenInHand: Record<Mode, number[]> = { notify: [], 'poll-only': [] };

  const round = async (mode: Mode): Promise<void> => {
    const user = { username: `herd-${randomUUID()}`, password: `pw-${randomUUID()}` };
    mock.control.upsertUser(user);
    const fleet = await startFleet(
      replicaConfigs(REPLICAS, {
        baseUrl: mock.url,
        ...user,
        redis: { url: redis.url },
        traceStore: true,
        pollOnly: mode === 'poll-only',
        store: { pollIntervalMs: POLL_INTERVAL_MS },
      }),
    );
    try {
      const tallies = await fleet.all((replica) => replica.burst(REQUESTS));
      if (tallies.some((tally) => tally.ok !== REQUESTS)) throw new Error(`${mode}: some requests failed`);
      if (mock.control.stats().issues.byUser[user.username] !== 1)
        throw new Error(`${mode}: not exactly 1 issue`);
      const leaderIndex = fleet.replicas.findIndex((replica) =>
        replica.storeTraces.some((trace) => trace.op === 'writeToken' && trace.granted),
      );
      const written = fleet.replicas[leaderIndex]!.storeTraces.find((trace) => trace.op === 'writeToken')!;
      const waiters = fleet.replicas.filter((_, index) => index !== leaderIndex);
      const lastOk = Math.max(
        ...tallies.filter((_, index) => index !== leaderIndex).map((tally) => tally.firstOkAt!),
      );
      const lastAdopted = Math.max(
        ...waiters.map(
          (replica) => replica.events.find(({ event }) => event.type === 'reused-from-store')!.at,
        ),
      );
      firstSuccess[mode].push(lastOk - written.startedAt);
      tokenInHand[mode].push(lastAdopted - written.startedAt);
    } finally {
      await fleet.close();
    }
  };

  try {
    // One unmeasured round per mode warms the compile cache and the page cache.
    await round('notify');
    await round('poll-only');
    for (const samples of [firstSuccess, tokenInHand]) {
      samples.notify.length = 0;
      samples['poll-only'].length = 0;
    }
    for (let index = 0; index < ROUNDS; index++) {
      const order: Mode[] = index % 2 === 0 ? ['notify', 'poll-only'] : ['poll-only', 'notify'];
      for (const mode of order) await round(mode);
    }
  } finally {
    await mock.close();
    await redis.close();
  }

  return {
    rounds: ROUNDS,
    firstSuccess: compare(firstSuccess),
    tokenInHand: compare(tokenInHand),
  };
}

function compare(samples: Record<Mode, number[]>): HerdComparison {
  const summary = (values: number[]): HerdSamples => ({
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    samples: values,
  });
  const notify = summary(samples.notify);
  const pollOnly = summary(samples['poll-only']);
  return { notify, pollOnly, ratioP50: pollOnly.p50 / notify.p50, ratioP99: pollOnly.p99 / notify.p99 };
}

if (import.meta.main) {
  const result = await runRedisHerdBench();
  const ms = (value: number) => `${value.toFixed(1).padStart(7)} ms`;
  const list = (values: number[]) => values.map((value) => value.toFixed(1)).join(', ');
  const print = (title: string, comparison: HerdComparison): void => {
    console.log(`  ${title}`);
    const { notify, pollOnly } = comparison;
    console.log(
      `    notify (pub/sub + poll)  p50 ${ms(notify.p50)}  p99 ${ms(notify.p99)}  [${list(notify.samples)}]`,
    );
    console.log(
      `    poll-only (${POLL_INTERVAL_MS} ms)     p50 ${ms(pollOnly.p50)}  p99 ${ms(pollOnly.p99)}  [${list(pollOnly.samples)}]`,
    );
    console.log(
      `    ratio poll-only / notify: p50 ${comparison.ratioP50.toFixed(1)}x, p99 ${comparison.ratioP99.toFixed(1)}x`,
    );
  };
  console.log(
    `redis-herd: ${result.rounds} cold starts per mode, ${REPLICAS} replica processes x ${REQUESTS} concurrent requests`,
  );
  print('token write -> last waiting replica holds the token (wake-up)', result.tokenInHand);
  print("token write -> last waiting replica's first successful request", result.firstSuccess);
}
