/**
 * Requests per second through `createConnexeaseFetch` (JWT mode, token held in memory) against plain
 * `fetch` sending a fixed `Authorization` header, all hitting the same local node:http endpoint in one
 * run. Two more clients make the numbers readable:
 *
 * - plain `fetch` with the same per-attempt timeout `createConnexeaseFetch` applies (an `AbortController`
 *   whose timer is cleared once the response is in): fetch's own price for any timeout signal, apart
 *   from what connexease-kit adds (signing, URL resolution, the 401 check);
 * - a second plain `fetch`: plain against itself shows the run's noise floor.
 *
 * Requests are interleaved one by one in a fresh random order for every group of four (see
 * support/interleave.ts). The ratios are what matter, not the absolute rates.
 *
 * Run after building the packages:
 *   npx pnpm@12.21.0 --filter @connexease-kit/http-fetch... build
 *   node bench/http-fetch.ts            (Node 24: node_modules/.bin/node)
 */
import { createConnexeaseFetch } from '@connexease-kit/http-fetch';
import { startBenchApi } from './support/bench-api.ts';
import { interleave } from './support/interleave.ts';

/** Requests per client. Shorter runs swing by more than the effect being measured on a shared machine. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 15_000);
const TARGET_RATIO = 0.95;

/** What {@link runHttpFetchBench} measured. */
export interface HttpFetchBenchResult {
  /** Requests per second through `createConnexeaseFetch`. */
  oursPerSecond: number;
  /** Requests per second through plain `fetch` with a fixed header. */
  baselinePerSecond: number;
  /** Requests per second through plain `fetch` with a fixed header and a per-attempt timeout signal. */
  timedBaselinePerSecond: number;
  /** ours / plain fetch: the headline ratio. */
  ratio: number;
  /** plain fetch + timeout / plain fetch: fetch's own price for a timeout signal. */
  timedRatio: number;
  /** ours / (plain fetch + timeout): connexease-kit's own cost, the timeout's excluded. */
  ownCostRatio: number;
  /** A second plain fetch / plain fetch: 1 but for the run's noise. */
  controlRatio: number;
}

/** Runs the benchmark and returns the rates and ratios. */
export async function runHttpFetchBench(): Promise<HttpFetchBenchResult> {
  const server = await startBenchApi();
  const { token, url: baseUrl } = server;

  const { fetch: ours, auth } = createConnexeaseFetch({
    baseUrl,
    credentials: { username: 'bench', password: 'bench-password' },
  });
  const plainInit = { headers: { accept: 'application/json', authorization: `JWT ${token}` } };
  const url = `${baseUrl}/bench/`;
  const timed = async () => {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), 10_000);
    try {
      return await fetch(url, { ...plainInit, signal: deadline.signal });
    } finally {
      clearTimeout(timer);
    }
  };
  try {
    const rates = await interleave(
      {
        ours: async () => (await ours('bench/')).json(),
        plain: async () => (await fetch(url, plainInit)).json(),
        timed: async () => (await timed()).json(),
        control: async () => (await fetch(url, plainInit)).json(),
      },
      { requests: REQUESTS },
    );
    const issues = server.issues();
    if (issues !== 1) throw new Error(`expected exactly one POST /jwt/ during the run, saw ${issues}`);
    return {
      oursPerSecond: rates.ours,
      baselinePerSecond: rates.plain,
      timedBaselinePerSecond: rates.timed,
      ratio: rates.ours / rates.plain,
      timedRatio: rates.timed / rates.plain,
      ownCostRatio: rates.ours / rates.timed,
      controlRatio: rates.control / rates.plain,
    };
  } finally {
    await auth.close();
    server.close();
  }
}

if (import.meta.main) {
  const result = await runHttpFetchBench();
  const rate = (value: number) => value.toFixed(0).padStart(7);
  const verdict = (value: number) => (value >= TARGET_RATIO ? 'meets' : 'below');
  console.log(
    [
      `http-fetch: ${REQUESTS} requests per client, interleaved one by one in random order`,
      `  createConnexeaseFetch                ${rate(result.oursPerSecond)} req/s`,
      `  plain fetch, fixed header            ${rate(result.baselinePerSecond)} req/s`,
      `  plain fetch + per-attempt timeout    ${rate(result.timedBaselinePerSecond)} req/s`,
      `  ratio ours / plain fetch             ${result.ratio.toFixed(3)} (${verdict(result.ratio)} the target >= ${TARGET_RATIO})`,
      `  ratio plain + timeout / plain        ${result.timedRatio.toFixed(3)}: fetch's own price for a timeout signal`,
      `  ratio ours / (plain + timeout)       ${result.ownCostRatio.toFixed(3)} (${verdict(result.ownCostRatio)} the target): what connexease-kit adds`,
      `  ratio plain fetch / plain again      ${result.controlRatio.toFixed(3)}: the noise of this run (ideally 1)`,
    ].join('\n'),
  );
}
