/**
 * Loaded with `node --import` before a README snippet runs as a process:
 * - requests to the real API (`https://api.connexease.com`, the snippets' default) go to the mock
 *   server at `CXK_SNIPPET_API` instead, so the snippet runs as written;
 * - once the snippet has installed a SIGTERM listener, a marker line on stderr tells the test that
 *   SIGTERM now reaches the snippet's own shutdown code (and not Node's default, which would exit anyway).
 */
import { SIGTERM_READY_MARKER } from './protocol.ts';

const API = 'https://api.connexease.com';

const mock = process.env.CXK_SNIPPET_API;
if (mock === undefined) throw new Error('preload: CXK_SNIPPET_API is not set');

const realFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const request = new Request(input, init);
  if (request.url !== API && !request.url.startsWith(`${API}/`)) return realFetch(request);
  const body =
    request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
  return realFetch(`${mock}${request.url.slice(API.length)}`, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
    redirect: request.redirect,
  });
};

for (const method of ['on', 'once', 'addListener', 'prependListener', 'prependOnceListener'] as const) {
  const original = process[method].bind(process) as (
    event: string | symbol,
    listener: () => void,
  ) => NodeJS.Process;
  (process as unknown as Record<string, unknown>)[method] = (
    event: string | symbol,
    listener: () => void,
  ) => {
    const result = original(event, listener);
    if (event === 'SIGTERM') process.stderr.write(`${SIGTERM_READY_MARKER}\n`);
    return result;
  };
}
