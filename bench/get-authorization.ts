/**
 * The provider's hot path: `getAuthorization()` with a JWT held in memory, against a baseline async
 * function that only reads a module-level string and `Date.now()` (the least any cache could do).
 * Rounds are interleaved and alternate which side goes first, so machine noise hits both alike; the
 * ratio is what matters, never the absolute rates. Store calls are counted through a wrapper: the
 * hot path must make none.
 *
 * A second ratio measures what the diagnostics channels cost the hot path: the same provider while
 * every connexease-kit channel (the event channel and the three tracing channels) has a subscriber
 * that does nothing, against no subscriber at all. 1.00 means the channels cost the hot path nothing.
 *
 * Run after building the packages:
 *   npx pnpm@12.21.0 --filter @connexease-kit/auth-core --filter @connexease-kit/token-store-memory build
 *   PATH=/work/main/node_modules/.bin:$PATH node bench/get-authorization.ts
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createTokenProvider, type JwtIssuer, type TokenStore } from '@connexease-kit/auth-core';
import { DIAGNOSTICS_CHANNELS } from '@connexease-kit/auth-core/diagnostics';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import { benchToken } from './support/bench-token.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const OPS_PER_ROUND = Number(process.env.BENCH_OPS ?? 200_000);
const TARGET_RATIO = 0.5;

/** Wraps every store method to count calls. */
function countingStore(inner: TokenStore): { store: TokenStore; calls: () => number } {
  let calls = 0;
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return value.apply(target, args);
      };
    },
  });
  return { store, calls: () => calls };
}

/** Subscribes a do-nothing listener to every connexease-kit channel; returns the unsubscribe function. */
function subscribeEverywhere(): () => void {
  const { event, jwtIssue, wait, store } = DIAGNOSTICS_CHANNELS;
  const kinds = ['start', 'end', 'asyncStart', 'asyncEnd', 'error'];
  const names = [
    event,
    ...[jwtIssue, wait, store].flatMap((name) => kinds.map((kind) => `tracing:${name}:${kind}`)),
  ];
  const ignore = (): void => {};
  for (const name of names) subscribe(name, ignore);
  return () => {
    for (const name of names) unsubscribe(name, ignore);
  };
}

// The baseline: a module-level string and a time check, nothing else.
let cachedHeader = '';
let cachedUntil = 0;
async function baseline(): Promise<string> {
  if (Date.now() < cachedUntil) return cachedHeader;
  throw new Error('baseline token expired');
}

export interface GetAuthorizationBenchResult {
  oursPerSecond: number;
  baselinePerSecond: number;
  ratio: number;
  storeCallsPerOp: number;
  issues: number;
  /** `getAuthorization()` rate with a subscriber on every diagnostics channel. */
  observedPerSecond: number;
  /** observed / unobserved (the `oursPerSecond` rounds): 1.00 when the channels cost the hot path nothing. */
  channelRatio: number;
}

/** Runs the benchmark and returns both rates, their ratio (ours / baseline) and store calls per op. */
export async function runGetAuthorizationBench(): Promise<GetAuthorizationBenchResult> {
  const token = benchToken();
  let issues = 0;
  const issuer: JwtIssuer = async () => {
    issues++;
    return { token, receivedAt: Date.now() };
  };
  const memory = createMemoryTokenStore();
  const counted = countingStore(memory);
  const provider = createTokenProvider({
    credentials: { username: 'bench', password: 'bench-password' },
    issuer,
    store: counted.store,
  });
  cachedHeader = await provider.getAuthorization();
  cachedUntil = Date.now() + 3_600_000;

  const drive = async (call: () => Promise<string>): Promise<number> => {
    let sink = 0;
    const started = performance.now();
    for (let i = 0; i < OPS_PER_ROUND; i++) sink += (await call()).length;
    const seconds = (performance.now() - started) / 1000;
    if (sink !== OPS_PER_ROUND * cachedHeader.length) throw new Error('unexpected header');
    return OPS_PER_ROUND / seconds;
  };
  const ours = () => provider.getAuthorization();

  try {
    // Warm-up (JIT) for both sides.
    await drive(ours);
    await drive(baseline);
    const storeCallsBefore = counted.calls();
    let oursTotal = 0;
    let baselineTotal = 0;
    let observedTotal = 0;
    const observed = async (): Promise<number> => {
      const stop = subscribeEverywhere();
      try {
        return await drive(ours);
      } finally {
        stop();
      }
    };
    for (let round = 0; round < ROUNDS; round++) {
      if (round % 2 === 0) {
        oursTotal += await drive(ours);
        baselineTotal += await drive(baseline);
        observedTotal += await observed();
      } else {
        observedTotal += await observed();
        baselineTotal += await drive(baseline);
        oursTotal += await drive(ours);
      }
    }
    const storeCalls = counted.calls() - storeCallsBefore;
    const oursPerSecond = oursTotal / ROUNDS;
    const baselinePerSecond = baselineTotal / ROUNDS;
    const observedPerSecond = observedTotal / ROUNDS;
    return {
      observedPerSecond,
      channelRatio: observedPerSecond / oursPerSecond,
      oursPerSecond,
      baselinePerSecond,
      ratio: oursPerSecond / baselinePerSecond,
      storeCallsPerOp: storeCalls / (2 * ROUNDS * OPS_PER_ROUND),
      issues,
    };
  } finally {
    await provider.close();
    await memory.close();
  }
}

if (import.meta.main) {
  const result = await runGetAuthorizationBench();
  const format = (value: number) => value.toFixed(0).padStart(11);
  console.log(`get-authorization: ${ROUNDS} interleaved rounds x ${OPS_PER_ROUND} sequential awaited calls`);
  console.log(`  provider.getAuthorization() ${format(result.oursPerSecond)} ops/s`);
  console.log(`  baseline (string + Date.now) ${format(result.baselinePerSecond)} ops/s`);
  console.log(`  ratio ${result.ratio.toFixed(3)} (target >= ${TARGET_RATIO})`);
  console.log(`  with a subscriber on every diagnostics channel ${format(result.observedPerSecond)} ops/s`);
  console.log(
    `  diagnostics channels: subscribed / unsubscribed ratio ${result.channelRatio.toFixed(3)} (1.00 = no cost)`,
  );
  console.log(
    `  store calls per operation: ${result.storeCallsPerOp} (must be 0); POST /jwt/ issues: ${result.issues}`,
  );
}
