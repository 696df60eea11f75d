/**
 * createConnexeaseFetch under the fetch-based clients people use, each a real package: Node's own
 * fetch, undici's fetch with a custom Agent, openapi-fetch (its `fetch` option) and axios 1.x with its
 * `fetch` adapter. Each is also a README recipe, run as written by the packed-tarball consumer test.
 */
import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import { caught, type Echo, JOHN, startTestServer } from '@connexease-kit/test-support';
import axios, { AxiosError } from 'axios';
import createClient from 'openapi-fetch';
import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, it, onTestFinished } from 'vitest';
import { authFetch } from '../src/auth-fetch.ts';
import { createConnexeaseFetch } from '../src/client.ts';
import type { FetchLike } from '../src/fetch-types.ts';

async function setup(fetch?: FetchLike) {
  const server = await startTestServer();
  const client = createConnexeaseFetch({
    baseUrl: server.url,
    credentials: JOHN,

    ...(fetch === undefined ? {} : { fetch }),
  });
  onTestFinished(() => client.auth.close());
  return { server, ...client };
}

describe("Node's own fetch", () => {
  it('is the default: signs, and resends a POST once after a revoked token', async () => {
    const { fetch, server } = await setup();
    expect(await (await fetch('a/')).json()).toMatchObject({ scheme: 'JWT' });
    server.control.revoke({ all: true });
    const response = await fetch('b/', { method: 'POST', body: JSON.stringify({ n: 1 }) });
    expect(await response.json()).toMatchObject({ scheme: 'JWT', body: { n: 1 } });
    expect(server.control.stats().issues.total).toBe(2);
  });
});

describe("undici's fetch with a custom Agent", () => {
  it('sends every call, POST /jwt/ included, through the Agent', async () => {
    const dispatcher = new Agent({ connections: 4, keepAliveTimeout: 10_000 });
    onTestFinished(() => dispatcher.close());
    let dispatched = 0;
    const counting = dispatcher.compose((dispatch) => (options, handler) => {
      dispatched++;
      return dispatch(options, handler);
    });
    const { fetch, server } = await setup(
      (input, init) =>
        undiciFetch(
          input as string,
          { ...init, dispatcher: counting } as Parameters<typeof undiciFetch>[1],
        ) as unknown as Promise<Response>,
    );
    expect(await (await fetch('a/')).json()).toMatchObject({ scheme: 'JWT' });
    server.control.revoke({ all: true });
    const response = await fetch('b/', { method: 'PUT', body: JSON.stringify({ n: 2 }) });
    expect(await response.json()).toMatchObject({ scheme: 'JWT', body: { n: 2 } });
    // 2 × POST /jwt/, GET a/, PUT b/ (401), PUT b/ again.
    expect(dispatched).toBe(5);
    expect(server.control.stats().apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
  });
});

describe('openapi-fetch over undici', () => {
  it("hands undici's fetch a URL and an init, never the platform's Request it cannot read", async () => {
    const dispatcher = new Agent();
    onTestFinished(() => dispatcher.close());
    const { fetch, server } = await setup(
      (url, init) => undiciFetch(url as string, { ...init, dispatcher } as never) as never,
    );
    const api = createClient({ baseUrl: server.url, fetch });
    expect((await api.GET('/a/' as never)).data).toMatchObject({ scheme: 'JWT' });
    server.control.revoke({ all: true });
    const created = await api.POST('/orders/' as never, { body: { order: 8 } } as never);
    expect(created.data).toMatchObject({ scheme: 'JWT', method: 'POST', body: { order: 8 } });
    expect(server.control.stats().apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
  });
});

describe('openapi-fetch', () => {
  it('takes the signed fetch as its fetch option: Request inputs, bodies resent after a 401', async () => {
    const { fetch, server } = await setup();
    const api = createClient({ baseUrl: server.url, fetch });
    const first = await api.GET('/some/endpoint/' as never);
    expect(first.data).toMatchObject({ scheme: 'JWT', path: '/some/endpoint/' });
    server.control.revoke({ all: true });
    const second = await api.POST('/orders/' as never, { body: { order: 7 } } as never);
    expect(second.response.status).toBe(200);
    expect(second.data).toMatchObject({ scheme: 'JWT', method: 'POST', body: { order: 7 } });
    expect(server.control.stats().apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
  });

  it('returns a 404 as openapi-fetch does ({ error }), and rejects with our typed error', async () => {
    const { fetch, server } = await setup();
    server.control.respond('/missing/', { status: 404, body: { detail: 'Not found.' } });
    const api = createClient({ baseUrl: server.url, fetch });
    const missing = await api.GET('/missing/' as never);
    expect(missing.response.status).toBe(404);
    expect(missing.error).toEqual({ detail: 'Not found.' });
    server.control.setStatus(JOHN.username, 'banned');
    server.control.revoke({ all: true });
    const error = await caught(() => api.GET('/again/' as never));
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error).toMatchObject({ code: 'AGENT_BANNED' });
  });
});

describe('axios 1.x with its fetch adapter', () => {
  it('uses the signed fetch (env.fetch): JSON bodies resent after a 401', async () => {
    const { fetch, server } = await setup();
    const api = axios.create({ baseURL: `${server.url}/`, adapter: 'fetch', env: { fetch } });
    expect((await api.get<Echo>('a/')).data).toMatchObject({ scheme: 'JWT', path: '/a/' });
    server.control.revoke({ all: true });
    const { data, status } = await api.patch<Echo>('orders/1/', { qty: 3 });
    expect(status).toBe(200);
    expect(data).toMatchObject({ scheme: 'JWT', method: 'PATCH', body: { qty: 3 } });
    expect(server.control.stats().apiCalls.byStatus).toEqual({ '200': 2, '401': 1 });
  });

  it('a typed error reaches the caller as the cause of an AxiosError; statuses stay axios errors', async () => {
    const { fetch, server } = await setup();
    const api = axios.create({ baseURL: `${server.url}/`, adapter: 'fetch', env: { fetch } });
    server.control.respond('/missing/', { status: 404, body: { detail: 'Not found.' } });
    const missing = await caught(() => api.get('missing/'));
    expect(missing).toBeInstanceOf(AxiosError);
    expect((missing as AxiosError).response?.status).toBe(404);
    server.control.setStatus(JOHN.username, 'banned');
    server.control.revoke({ all: true });
    const error = await caught(() => api.get('again/'));
    expect(error).toBeInstanceOf(AxiosError);
    expect((error as Error).cause).toBeInstanceOf(ConnexeaseAuthError);
    expect((error as Error).cause).toMatchObject({ code: 'AGENT_BANNED' });
  });
});

describe('authFetch', () => {
  it('signs the fetch of a library that brings its own (a wrapped fetch), with absolute URLs', async () => {
    const { auth, server } = await setup();
    const calls: string[] = [];
    const logging: FetchLike = (input, init) => {
      calls.push(input instanceof Request ? input.url : String(input));
      return fetch(input, init);
    };
    const signed = authFetch(auth, logging);
    expect(await (await signed(`${server.url}/x/`)).json()).toMatchObject({ scheme: 'JWT' });
    expect(calls).toEqual([`${server.url}/x/`]);
  });
});
