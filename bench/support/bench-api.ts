import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { benchToken } from './bench-token.ts';

/** The local endpoint every client of a transport benchmark hits. */
export interface BenchApi {
  /** Its origin, without a trailing slash. */
  url: string;
  /** The token `POST /jwt/` issues; API calls signed `JWT <token>` get 200, others 401. */
  token: string;
  /** How many times `POST /jwt/` was called. */
  issues(): number;
  close(): void;
}

/** Starts the benchmarks' API on a free local port: `POST /jwt/` issues {@link benchToken}, the rest echo `{"ok":true}`. */
export async function startBenchApi(): Promise<BenchApi> {
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
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    token,
    issues: () => issues,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}
