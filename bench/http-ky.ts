/**
 * Requests per second through `createConnexeaseClient` (JWT mode, token held in memory) against a
 * plain ky instance that sends a fixed `Authorization` header, all hitting the same local node:http
 * endpoint in one run. Two more clients make the numbers readable:
 *
 * - plain ky plus one no-op `afterResponse` hook: ky hands every such hook a clone of the response
 *   (a tee of its body). The client used to need one for its 401 check; it now watches the status in
 *   the fetch it hands ky instead, and this line shows what that saves;
 * - a second, identical plain ky instance: plain against itself shows the run's noise floor.
 *
 * Requests are interleaved one by one in a fresh random order for every group of four (see
 * support/interleave.ts: work a request leaves behind, such as ky cancelling the hook's clone, is not
 * charged to a fixed successor). The ratios are what matter, not the absolute rates.
 *
 * Run after building the packages:
 *   npx pnpm@12.21.0 --filter @connexease-kit/http-ky... build
 *   PATH=/work/main/node_modules/.bin:$PATH node bench/http-ky.ts
 */
import { createConnexeaseClient } from '@connexease-kit/http-ky';
import { startBenchApi } from './support/bench-api.ts';
import { interleave } from './support/interleave.ts';

/** Requests per client. Shorter runs swing by more than the effect being measured on a shared machine. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 15_000);
const TARGET_RATIO = 0.95;

/** What {@link runHttpKyBench} measured. */
export interface HttpKyBenchResult {
  /** Requests per second through `createConnexeaseClient`. */
  oursPerSecond: number;
  /** Requests per second through plain ky with a fixed header. */
  baselinePerSecond: number;
  /** Requests per second through plain ky with a fixed header and one no-op `afterResponse` hook. */
  hookedBaselinePerSecond: number;
  /** ours / plain ky: the headline ratio. */
  ratio: number;
  /** plain ky + no-op hook / plain ky: ky's own cost of having any `afterResponse` hook. */
  hookedRatio: number;
  /** ours / (plain ky + no-op hook): connexease-kit's own cost, ky's per-hook clone excluded. */
  ownCostRatio: number;
  /** A second plain ky instance / plain ky: 1 but for the run's noise. */
  controlRatio: number;
}

/** Runs the benchmark and returns the rates and ratios. */
export async function runHttpKyBench(): Promise<HttpKyBenchResult> {
  const server = await startBenchApi();
  const { token, url: baseUrl } = server;

  const { api, auth } = createConnexeaseClient({
    baseUrl,
    credentials: { username: 'bench', password: 'bench-password' },
  });
  // `create` gives fresh defaults from the same ky module: plain ky with what the client sets, no hooks.
  const plainOptions = {
    baseUrl: `${baseUrl}/`,
    headers: { accept: 'application/json', authorization: `JWT ${token}` },
    timeout: 10_000,
    retry: {
      limit: 2,
      methods: ['get', 'head', 'options', 'put', 'delete'],
      statusCodes: [500, 502, 503, 504],
    },
  };
  const plain = api.create(plainOptions);
  const control = api.create(plainOptions);
  const hooked = api.create({ ...plainOptions, hooks: { afterResponse: [() => {}] } });

  try {
    const rates = await interleave(
      {
        ours: () => api.get('bench/').json(),
        plain: () => plain.get('bench/').json(),
        hooked: () => hooked.get('bench/').json(),
        control: () => control.get('bench/').json(),
      },
      { requests: REQUESTS },
    );
    const issues = server.issues();
    if (issues !== 1) throw new Error(`expected exactly one POST /jwt/ during the run, saw ${issues}`);
    return {
      oursPerSecond: rates.ours,
      baselinePerSecond: rates.plain,
      hookedBaselinePerSecond: rates.hooked,
      ratio: rates.ours / rates.plain,
      hookedRatio: rates.hooked / rates.plain,
      ownCostRatio: rates.ours / rates.hooked,
      controlRatio: rates.control / rates.plain,
    };
  } finally {
    await auth.close();
    server.close();
  }
}

if (import.meta.main) {
  const result = await runHttpKyBench();
  const rate = (value: number) => value.toFixed(0).padStart(7);
  const verdict = (value: number) => (value >= TARGET_RATIO ? 'meets' : 'below');
  const lines = [
    `http-ky: ${REQUESTS} requests per client, interleaved one by one in random order`,
    `  createConnexeaseClient               ${rate(result.oursPerSecond)} req/s`,
    `  plain ky, fixed header               ${rate(result.baselinePerSecond)} req/s`,
    `  plain ky + no-op afterResponse hook  ${rate(result.hookedBaselinePerSecond)} req/s`,
    `  ratio ours / plain ky              ${result.ratio.toFixed(3)} (${verdict(result.ratio)} the target >= ${TARGET_RATIO})`,
    `  ratio plain ky + hook / plain ky   ${result.hookedRatio.toFixed(3)}: ky's own price for any afterResponse hook`,
    `  ratio ours / (plain ky + hook)     ${result.ownCostRatio.toFixed(3)}: above 1, the response clone the client no longer pays`,
    `  ratio plain ky / plain ky again    ${result.controlRatio.toFixed(3)}: the noise of this run (ideally 1)`,
    '  ky hands every afterResponse hook a clone of the response, which tees its body. The client has no such',
    '  hook: it notices a 401 in the fetch it hands ky and resends through ky.retry machinery (body, retry budget,',
    '  per-attempt timeout and beforeRetry hooks as they are), so "ours / plain ky" is signing alone.',
  ];
  console.log(lines.join('\n'));
}
