/**
 * Requests per second through `createConnexeaseClient` (JWT mode, token held in memory) against a
 * plain ky instance that sends a fixed `Authorization` header, both hitting the same local node:http
 * endpoint in one run. A third client, plain ky plus one no-op `afterResponse` hook, shows how much of
 * the gap is ky's own price for any `afterResponse` hook (it clones every response for each one).
 *
 * Requests are interleaved one by one (A, B, C, then B, C, A, …, sequentially), so load from other
 * processes hits every client alike; each side's rate is its request count over its own summed time.
 * The ratio is what matters, not the absolute rates.
 *
 * Run after building the packages:
 *   PATH=/work/main/node_modules/.bin:$PATH node bench/http-ky.ts
 */
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createConnexeaseClient } from '@connexease-kit/http-ky';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const REQUESTS_PER_ROUND = Number(process.env.BENCH_REQUESTS ?? 500);
const TARGET_RATIO = 0.95;

/** A JWT-shaped token whose `exp` is a day away, so the provider holds it for the whole run. */
function benchToken(): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ user_id: 1, iat: now, exp: now + 86_400 })}.c2ln`;
}

/** What {@link runHttpKyBench} measured. */
export interface HttpKyBenchResult {
  /** Requests per second through `createConnexeaseClient`. */
  oursPerSecond: number;
  /** Requests per second through plain ky with a fixed header. */
  baselinePerSecond: number;
  /** Requests per second through plain ky with a fixed header and one no-op `afterResponse` hook. */
  hookedBaselinePerSecond: number;
  /** `oursPerSecond / baselinePerSecond`. */
  ratio: number;
  /** `hookedBaselinePerSecond / baselinePerSecond`: ky's cost of having any `afterResponse` hook. */
  hookedRatio: number;
}

/** Runs the benchmark and returns the rates and ratios. */
export async function runHttpKyBench(): Promise<HttpKyBenchResult> {
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
  const hooked = api.create({ ...plainOptions, hooks: { afterResponse: [() => {}] } });

  const clients = [
    () => api.get('bench/').json(),
    () => plain.get('bench/').json(),
    () => hooked.get('bench/').json(),
  ];
  const elapsed = [0, 0, 0];
  const timed = async (index: number): Promise<void> => {
    const started = performance.now();
    await clients[index]!();
    elapsed[index]! += performance.now() - started;
  };

  try {
    // Warm-up: the one token issue, the connection, the JIT.
    for (let i = 0; i < 300; i++) for (const call of clients) await call();
    elapsed.fill(0);
    for (let round = 0; round < ROUNDS; round++) {
      for (let i = 0; i < REQUESTS_PER_ROUND; i++) {
        const first = (round + i) % clients.length;
        for (let k = 0; k < clients.length; k++) await timed((first + k) % clients.length);
      }
    }
    if (issues !== 1) throw new Error(`expected exactly one POST /jwt/ during the run, saw ${issues}`);
    const [oursPerSecond, baselinePerSecond, hookedBaselinePerSecond] = elapsed.map(
      (ms) => (ROUNDS * REQUESTS_PER_ROUND) / (ms / 1000),
    ) as [number, number, number];
    return {
      oursPerSecond,
      baselinePerSecond,
      hookedBaselinePerSecond,
      ratio: oursPerSecond / baselinePerSecond,
      hookedRatio: hookedBaselinePerSecond / baselinePerSecond,
    };
  } finally {
    await auth.close();
    server.closeAllConnections();
    server.close();
  }
}

if (import.meta.main) {
  const result = await runHttpKyBench();
  const format = (value: number) => value.toFixed(0).padStart(7);
  console.log(
    `http-ky: ${ROUNDS} rounds x ${REQUESTS_PER_ROUND} requests per client, interleaved one by one`,
  );
  console.log(`  createConnexeaseClient               ${format(result.oursPerSecond)} req/s`);
  console.log(`  plain ky, fixed header               ${format(result.baselinePerSecond)} req/s`);
  console.log(`  plain ky + no-op afterResponse hook  ${format(result.hookedBaselinePerSecond)} req/s`);
  console.log(`  ratio ours / plain ky ${result.ratio.toFixed(3)} (target >= ${TARGET_RATIO})`);
  console.log(
    `  ratio plain+hook / plain ky ${result.hookedRatio.toFixed(3)} (ky's cost of any afterResponse hook)`,
  );
}
