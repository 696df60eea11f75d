import type { IncomingMessage } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import {
  ACCESS_TOKEN,
  caught,
  expectNoSecrets,
  JOHN,
  startHttpServer,
  startTestServer,
} from '@connexease-kit/test-support';
import ky, { type BeforeErrorState, HTTPError, type KyInstance } from 'ky';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createConnexeaseClient } from '../src/client.ts';
import { type AuthorizationSource, authHooks } from '../src/hooks.ts';

const STALE = 'JWT stale-token';
const FRESH = 'JWT fresh-token';

interface Seen {
  method: string;
  authorization: string | undefined;
  body: string;
}

/**
 * An API that accepts only {@link FRESH}, answers the statuses queued in `script` first (one per
 * request), and delays answers by `latencyMs`. It records every request it received.
 */
async function startApi(options: { script?: number[]; latencyMs?: number } = {}) {
  const seen: Seen[] = [];
  const script = [...(options.script ?? [])];
  const url = await startHttpServer(async (request: IncomingMessage, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    seen.push({ method: request.method ?? '', authorization: request.headers.authorization, body });
    if (options.latencyMs !== undefined) await sleep(options.latencyMs);
    const scripted = script.shift();
    const status = scripted ?? (request.headers.authorization === FRESH ? 200 : 401);
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ status, body }));
  });
  return { url: `${url}/`, seen };
}

/** A provider stand-in: signs with STALE until a 401 is reported, then with FRESH. */
function source(options: { refreshDelayMs?: number } = {}) {
  const reported: string[] = [];
  let current = STALE;
  const provider: AuthorizationSource = {
    getAuthorization: async () => current,
    handleUnauthorized: async (rejected) => {
      reported.push(rejected);
      if (options.refreshDelayMs !== undefined) await sleep(options.refreshDelayMs);
      current = FRESH;
      return current;
    },
  };
  return { provider, reported };
}

/** A beforeError hook that records each error it sees and passes it on. */
function recordInto(errors: unknown[]) {
  return ({ error }: BeforeErrorState): Error => {
    errors.push(error);
    return error;
  };
}

function signed(base: KyInstance, provider: AuthorizationSource): KyInstance {
  return base.extend({ hooks: authHooks(provider) });
}

describe('401 recovery through ky retry pipeline', () => {
  it('resends a POST body intact after a 401, once', async () => {
    const api = await startApi();
    const { provider, reported } = source();
    const client = signed(ky.create({ baseUrl: api.url }), provider);
    const payload = JSON.stringify({ order: 7, note: 'ünïcödé', lines: [1, 2, 3] });
    const answer = await client.post('orders/', { body: payload }).json<{ status: number; body: string }>();
    expect(answer).toEqual({ status: 200, body: payload });
    expect(api.seen.map((request) => [request.method, request.authorization, request.body])).toEqual([
      ['POST', STALE, payload],
      ['POST', FRESH, payload],
    ]);
    expect(reported).toEqual([STALE]);
  });

  it('the wait for a fresh token is outside the per-attempt timeout, and the resend gets its own', async () => {
    const api = await startApi({ latencyMs: 150 });
    const { provider } = source({ refreshDelayMs: 400 });
    // Each attempt takes 150 ms of a 300 ms timeout; the refresh between them takes 400 ms.
    const client = signed(ky.create({ baseUrl: api.url, timeout: 300 }), provider);
    expect(await client.put('things/1/', { json: { a: 1 } }).json()).toMatchObject({ status: 200 });
    expect(api.seen).toHaveLength(2);
  });

  it('the resend counts against retry.limit: a 401, then 502s, ends in the 502 once the budget is spent', async () => {
    const api = await startApi({ script: [401, 502, 502, 502] });
    const { provider } = source();
    const client = signed(ky.create({ baseUrl: api.url, retry: { limit: 2, delay: () => 0 } }), provider);
    const error = await caught(() => client.get('flaky/'));
    expect(error).toBeInstanceOf(HTTPError);
    expect((error as HTTPError).response.status).toBe(502);
    // The first attempt, the 401 resend, and one 5XX retry: 1 + limit.
    expect(api.seen).toHaveLength(3);
  });

  it('with no attempt left the provider still hears of the 401, and the caller gets TOKEN_REJECTED', async () => {
    const api = await startApi();
    const { provider, reported } = source();
    const errors: unknown[] = [];
    const client = ky
      .create({ baseUrl: api.url, retry: 0 })
      .extend({ hooks: authHooks(provider) })
      .extend({ hooks: { beforeError: [recordInto(errors)] } });
    const error = await caught(() => client.get('things/'));
    expect(error).toMatchObject({ code: 'TOKEN_REJECTED', status: 401 });
    expect(errors).toEqual([error]);
    expect(reported).toEqual([STALE]);
    expect(api.seen).toHaveLength(1);
  });

  it('beforeRetry hooks after the auth hooks see the fresh header and the CONNEXEASE_UNAUTHORIZED retry', async () => {
    const api = await startApi();
    const { provider } = source();
    const retries: string[] = [];
    const seenErrors: unknown[] = [];
    const client = signed(ky.create({ baseUrl: api.url }), provider).extend({
      hooks: {
        beforeRetry: [
          ({ request, error, retryCount }) => {
            seenErrors.push(error);
            const code = (error as { code?: string }).code;
            retries.push(`${retryCount}:${code}:${request.headers.get('authorization')}`);
          },
        ],
      },
    });
    await client.get('things/');
    expect(retries).toEqual([`1:CONNEXEASE_UNAUTHORIZED:${FRESH}`]);
    // The retry's error carries neither the rejected token nor the fresh one.
    expectNoSecrets(seenErrors, [STALE.slice(4), FRESH.slice(4)]);
  });

  it('survives extend(): new headers and your own fetch keep the recovery and the body', async () => {
    const api = await startApi();
    const { provider } = source();
    const fetched: string[] = [];
    const base = signed(ky.create({ baseUrl: api.url }), provider);
    const extended = base.extend({
      headers: { 'x-tenant': 'acme' },
      fetch: async (input, init) => {
        fetched.push((input as Request).headers.get('x-tenant') ?? '-');
        return globalThis.fetch(input, init);
      },
    });
    const answer = await extended.post('things/', { json: { keep: true } }).json<{ body: string }>();
    expect(JSON.parse(answer.body)).toEqual({ keep: true });
    expect(fetched).toEqual(['acme', 'acme']);
  });

  it('afterResponse hooks see only the response the recovery ends with', async () => {
    const api = await startApi();
    const { provider } = source();
    const statuses: number[] = [];
    const client = signed(
      ky.create({
        baseUrl: api.url,
        hooks: { afterResponse: [({ response }) => void statuses.push(response.status)] },
      }),
      provider,
    );
    await client.get('things/');
    expect(statuses).toEqual([200]);
    expect(api.seen).toHaveLength(2);
  });
});

describe('createConnexeaseClient places its hooks among the ky instance you give it', () => {
  it('your beforeRetry hooks see the fresh header; your beforeError hooks see ENDPOINT_REFUSED', async () => {
    const server = await startTestServer();
    const retried: (string | null)[] = [];
    const errors: unknown[] = [];
    const mine = ky.create({
      hooks: {
        beforeRetry: [({ request }) => void retried.push(request.headers.get('authorization'))],
        beforeError: [recordInto(errors)],
      },
    });
    const { api, auth } = createConnexeaseClient({
      baseUrl: server.url,
      credentials: JOHN,
      ky: mine,
    });
    onTestFinished(() => auth.close());
    await api.get('warm-up/');
    server.control.revoke({ all: true });
    await api.post('things/', { json: { n: 1 } });
    expect(retried).toEqual([await auth.getAuthorization()]);

    server.control.respond('/always-401/', {
      status: 401,
      body: { detail: 'no' },
      times: Number.POSITIVE_INFINITY,
    });
    const error = await caught(() => api.get('always-401/'));
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error).toMatchObject({ code: 'ENDPOINT_REFUSED' });
    expect(errors).toEqual([error]);
  });

  it("the provider's refusal during recovery reaches your beforeError hooks (ACCESS_TOKEN_REJECTED)", async () => {
    const server = await startTestServer();
    const errors: unknown[] = [];
    const mine = ky.create({
      hooks: { beforeError: [recordInto(errors)] },
    });
    const { api, auth } = createConnexeaseClient({
      baseUrl: server.url,
      credentials: { accessToken: ACCESS_TOKEN },
      ky: mine,
    });
    onTestFinished(() => auth.close());
    server.control.revoke({ token: ACCESS_TOKEN });
    const error = await caught(() => api.get('things/'));
    expect(error).toMatchObject({ code: 'ACCESS_TOKEN_REJECTED' });
    expect(errors).toEqual([error]);
  });
});
