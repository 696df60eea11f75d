/**
 * Loaded with `node --import` before a README snippet runs as a process:
 * - requests to the real API (`https://api.connexease.com`, the snippets' default) go to the mock
 *   server at `CXK_SNIPPET_API` instead, so the snippet runs as written;
 * - once the snippet has installed a SIGTERM listener, a marker line on stderr tells the test that
 *   SIGTERM now reaches the snippet's own shutdown code (and not Node's default, which would exit anyway).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { SIGTERM_READY_MARKER } from './protocol.ts';

/** The hosts the snippets name: the API, and the statistics host (the mock accepts its own JWTs on both). */
const HOSTS = ['https://api.connexease.com', 'https://stream.connexease.com'];

const mock = process.env.CXK_SNIPPET_API;
if (mock === undefined) throw new Error('preload: CXK_SNIPPET_API is not set');

/** The host of `url` among {@link HOSTS}, if any. */
const hostOf = (url: string): string | undefined =>
  HOSTS.find((host) => url === host || url.startsWith(`${host}/`));

const realFetch = globalThis.fetch.bind(globalThis);
globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const request = new Request(input, init);
  const host = hostOf(request.url);
  if (host === undefined) return realFetch(request);
  const body =
    request.method === 'GET' || request.method === 'HEAD' ? undefined : await request.arrayBuffer();
  return realFetch(`${mock}${request.url.slice(host.length)}`, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
    redirect: request.redirect,
  });
};

// undici's own fetch (http-fetch's recipe with a custom Agent) does not go through globalThis.fetch:
// redirect the Agent of the undici the snippet itself resolves, when it has one.
try {
  const resolved = createRequire(process.argv[1] ?? import.meta.url).resolve('undici');
  type Dispatch = (this: unknown, options: { origin?: unknown }, handler: unknown) => boolean;
  const { Agent } = (await import(pathToFileURL(resolved).href)) as {
    Agent: { prototype: { dispatch: Dispatch } };
  };
  const dispatch = Agent.prototype.dispatch;
  Agent.prototype.dispatch = function redirected(options, handler) {
    const host = hostOf(String(options.origin));
    return dispatch.call(this, host === undefined ? options : { ...options, origin: mock }, handler);
  };
} catch {
  // No undici where the snippet runs.
}

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
