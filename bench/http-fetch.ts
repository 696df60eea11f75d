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
 * Requests are interleaved one by one, sequentially, in a fresh random order for every group of four,
 * so load from other processes hits every client alike and no client always runs right after the same
 * other one. Each rate is the client's request count over its own summed time. The ratios are what
 * matter, not the absolute rates.
 *
 * Run after building the packages:
 *   npx pnpm@12.21.0 --filter @connexease-kit/http-fetch... build
 *   node bench/http-fetch.ts            (Node 24: node_modules/.bin/node)
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnexeaseFetch } from '@connexease-kit/http-fetch';

/** Requests per client. Shorter runs swing by more than the effect being measured on a shared machine. */
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 15_000);
const TARGET_RATIO = 0.95;

/** A JWT-shaped token whose `exp` is a day away, so the provider holds it for the whole run. */
function benchToken(): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ user_id: 1, iat: now, exp: now + 86_400 })}.c2ln`;
}

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

/** The indexes `0 … length - 1` in a random order (Fisher-Yates). */
function shuffled(length: number): number[] {
  const order = Array.from({ length }, (_, index) => index);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/** Runs the benchmark and returns the rates and ratios. */
export async function runHttpFetchBench(): Promise<HttpFetchBenchResult> {
  const token = benchToken();
  const body = JSON.stringify({ ok: true });
  let issues = 0;
  const server = createServer((request, response) => {
    request.resume();
    if (request.url === '/jwt/' && request.method === 'POST') {
      issues++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ token, account: { uuid: 'bench' } }));
      return;
    }
    const ok = request.headers.authorization === `JWT ${token}`;
    response.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
    response.end(ok ? body : '{"detail":"unauthorized"}');
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

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
  const clients = [
    async () => (await ours('bench/')).json(),
    async () => (await fetch(url, plainInit)).json(),
    async () => (await timed()).json(),
    async () => (await fetch(url, plainInit)).json(),
  ];
  const [OURS, PLAIN, TIMED, CONTROL] = [0, 1, 2, 3] as const;
  const elapsed = clients.map(() => 0);

  try {
    // Warm-up: the one token issue, the connections, the JIT.
    for (let i = 0; i < 300; i++) for (const call of clients) await call();
    for (let i = 0; i < REQUESTS; i++) {
      for (const index of shuffled(clients.length)) {
        const started = performance.now();
        await clients[index]!();
        elapsed[index]! += performance.now() - started;
      }
    }
    if (issues !== 1) throw new Error(`expected exactly one POST /jwt/ during the run, saw ${issues}`);
    const perSecond = elapsed.map((ms) => REQUESTS / (ms / 1000));
    const ratio = (a: number, b: number) => perSecond[a]! / perSecond[b]!;
    return {
      oursPerSecond: perSecond[OURS]!,
      baselinePerSecond: perSecond[PLAIN]!,
      timedBaselinePerSecond: perSecond[TIMED]!,
      ratio: ratio(OURS, PLAIN),
      timedRatio: ratio(TIMED, PLAIN),
      ownCostRatio: ratio(OURS, TIMED),
      controlRatio: ratio(CONTROL, PLAIN),
    };
  } finally {
    await auth.close();
    server.closeAllConnections();
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
