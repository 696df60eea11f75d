import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authFetch, createConnexeaseFetch } from '@connexease-kit/http-fetch';
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 4000);
const encode = (v: object) => Buffer.from(JSON.stringify(v)).toString('base64url');
const s = Math.floor(Date.now() / 1000);
const token = `${encode({ alg: 'HS256' })}.${encode({ exp: s + 86400 })}.c2ln`;
const server = createServer((q, r) => { q.resume(); r.writeHead(200, { 'content-type': 'application/json' }); r.end('{"ok":true}'); });
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1'); await once(server, 'listening');
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const url = `${base}/bench/`;
const init = { headers: { accept: 'application/json', authorization: `JWT ${token}` } };
const { fetch: ours, auth } = createConnexeaseFetch({ baseUrl: base, credentials: { accessToken: token } });
const { fetch: oursNoTimeout } = createConnexeaseFetch({ baseUrl: base, credentials: { accessToken: token }, timeoutMs: 2_147_483_647 });
const signed = authFetch(auth);
const clients: Record<string, () => Promise<unknown>> = {
  plain: async () => (await fetch(url, init)).json(),
  plain2: async () => (await fetch(url, init)).json(),
  plainSignal: async () => { const c = new AbortController(); const t = setTimeout(() => c.abort(), 10000); try { return await (await fetch(url, { ...init, signal: c.signal })).json(); } finally { clearTimeout(t); } },
  plainURL: async () => (await fetch(new URL('bench/', `${base}/`), init)).json(),
  ours: async () => (await ours('bench/')).json(),
  authFetch: async () => (await signed(url)).json(),
};
const names = Object.keys(clients);
const elapsed: Record<string, number> = Object.fromEntries(names.map((n) => [n, 0]));
for (let i = 0; i < 200; i++) for (const n of names) await clients[n]!();
for (let i = 0; i < REQUESTS; i++) {
  const order = [...names]; for (let k = order.length - 1; k > 0; k--) { const j = Math.floor(Math.random() * (k + 1)); [order[k], order[j]] = [order[j]!, order[k]!]; }
  for (const n of order) { const t = performance.now(); await clients[n]!(); elapsed[n]! += performance.now() - t; }
}
for (const n of names) console.log(n.padEnd(12), (elapsed.plain! / elapsed[n]!).toFixed(3));
await auth.close(); server.closeAllConnections(); server.close();
