import { hasSubscribers, tracingChannel } from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import type { AuthEvent, TokenProvider } from '@connexease-kit/auth-core';
import { DIAGNOSTICS_CHANNELS } from '@connexease-kit/auth-core/diagnostics';
import { type ConnexeaseClientConfig, createConnexeaseClient } from '@connexease-kit/http-ky';
import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import { CONNEXEASE_ATTRIBUTES, instrumentConnexease, METRIC_NAMES, SPAN_NAMES } from '@connexease-kit/otel';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import { metrics, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { createTelemetry, type Telemetry } from './support/telemetry.ts';

const USER = { username: 'svc-user', password: 'svc-password-SECRET-1' };
const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } as const;
const HOUR_S = 3600;
const NS = CONNEXEASE_ATTRIBUTES.namespace;

let mock: MockServer;
let telemetry: Telemetry;

beforeAll(async () => {
  mock = await startMockServer({
    users: [USER, { username: 'svc-other', password: 'other-password-SECRET' }],
  });
});
afterAll(() => mock.close());
afterEach(async () => {
  mock.control.reset();
  await telemetry?.shutdown();
});

/** An instrumented SDK plus a real client (ky over HTTP to the mock API), all closed after the test. */
function setup(
  credentials: { username: string; password: string } = USER,
  more: Partial<ConnexeaseClientConfig> = {},
) {
  // A token the API rejects is refreshed once, whatever its age: 401s in a fast test.
  telemetry = createTelemetry();
  const uninstrument = instrumentConnexease({
    meterProvider: telemetry.meterProvider,
    tracerProvider: telemetry.tracerProvider,
  });
  onTestFinished(uninstrument);
  const client = createConnexeaseClient({
    baseUrl: mock.url,
    credentials,
    retry: FAST_RETRY,
    ...more,
  });
  onTestFinished(() => client.auth.close());
  return { ...client, uninstrument };
}

// Real HTTP against the mock API: generous timeouts on a shared machine.
describe('instrumentConnexease', { timeout: 30_000 }, () => {
  it('records attempts by outcome, the quota, the token schedule and waits; one span per attempt and per wait', async () => {
    const { auth } = setup();
    mock.control.queueFaults('502-html');
    const [header] = await Promise.all([auth.getAuthorization(), auth.getAuthorization()]);
    expect(header).toMatch(/^JWT /);
    const { namespace } = await auth.status();
    const metrics = await telemetry.collect();
    const points = (name: string) => telemetry.points(metrics, name);

    expect(points(METRIC_NAMES.jwtAttempts)).toEqual(
      expect.arrayContaining([
        { attributes: { [NS]: namespace, 'connexease.outcome': 'TOKEN_ENDPOINT_UNAVAILABLE' }, value: 1 },
        { attributes: { [NS]: namespace, 'connexease.outcome': 'issued' }, value: 1 },
      ]),
    );
    expect(points(METRIC_NAMES.jwtAttempts)).toHaveLength(2);
    expect(points(METRIC_NAMES.quotaUsed)).toEqual([{ attributes: { [NS]: namespace }, value: 2 }]);
    expect(points(METRIC_NAMES.quotaLimit)).toEqual([{ attributes: { [NS]: namespace }, value: 25 }]);
    expect(points(METRIC_NAMES.quotaRemaining)).toEqual([{ attributes: { [NS]: namespace }, value: 23 }]);

    // The mock's JWTs live 24 h; refresh is due 30 min before expiry.
    const [expiresIn] = points(METRIC_NAMES.tokenExpiresIn);
    const [refreshIn] = points(METRIC_NAMES.tokenRefreshIn);
    expect(expiresIn?.attributes).toEqual({ [NS]: namespace });
    expect(expiresIn?.value).toBeGreaterThan(23.9 * HOUR_S);
    expect(expiresIn?.value).toBeLessThanOrEqual(24 * HOUR_S);
    expect((expiresIn?.value as number) - (refreshIn?.value as number)).toBeCloseTo(0.5 * HOUR_S, 0);

    const [waits] = points(METRIC_NAMES.waitDuration);
    expect(waits?.attributes).toEqual({
      [NS]: namespace,
      'connexease.wait.reason': 'token',
      'connexease.outcome': 'token',
    });
    expect(waits?.value).toMatchObject({ count: 2 });
    expect(points(METRIC_NAMES.blocked)).toEqual([]);

    const issueSpans = telemetry.spans().filter((span) => span.name === SPAN_NAMES.jwtIssue);
    expect(issueSpans.map((span) => span.attributes)).toEqual([
      {
        [NS]: namespace,
        'connexease.jwt.attempt': 1,
        'error.type': 'TOKEN_ENDPOINT_UNAVAILABLE',
        'http.response.status_code': 502,
      },
      { [NS]: namespace, 'connexease.jwt.attempt': 2 },
    ]);
    expect(issueSpans.map((span) => span.status.code)).toEqual([SpanStatusCode.ERROR, SpanStatusCode.UNSET]);
    expect(issueSpans.every((span) => span.kind === SpanKind.CLIENT)).toBe(true);
    const waitSpans = telemetry.spans().filter((span) => span.name === SPAN_NAMES.wait);
    expect(waitSpans).toHaveLength(2);
    for (const span of waitSpans) {
      expect(span.attributes).toEqual({ [NS]: namespace, 'connexease.wait.reason': 'token' });
      expect(span.status.code).toBe(SpanStatusCode.UNSET);
    }
    // The wait spans cover the attempts: they start before the first and end after the last.
    const [first, last] = [issueSpans[0]!, issueSpans[1]!];
    for (const span of waitSpans) {
      expect(hrtimeMs(span.startTime)).toBeLessThanOrEqual(hrtimeMs(first.startTime));
      expect(hrtimeMs(span.endTime)).toBeGreaterThanOrEqual(hrtimeMs(last.endTime));
    }
  });

  it('reports a block (1, with its code) until unblock() clears it (0); a failed wait is an ERROR span', async () => {
    const { auth } = setup({ username: 'svc-other', password: 'wrong-password-SECRET' });
    await expect(auth.getAuthorization()).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    const { namespace } = await auth.status();
    let metrics = await telemetry.collect();
    expect(telemetry.points(metrics, METRIC_NAMES.blocked)).toEqual([
      { attributes: { [NS]: namespace, 'connexease.block.code': 'INVALID_CREDENTIALS' }, value: 1 },
    ]);
    expect(telemetry.points(metrics, METRIC_NAMES.jwtAttempts)).toEqual([
      { attributes: { [NS]: namespace, 'connexease.outcome': 'INVALID_CREDENTIALS' }, value: 1 },
    ]);
    const [wait] = telemetry.spans().filter((span) => span.name === SPAN_NAMES.wait);
    expect(wait?.status.code).toBe(SpanStatusCode.ERROR);
    expect(wait?.attributes).toMatchObject({
      'error.type': 'INVALID_CREDENTIALS',
      'http.response.status_code': 401,
    });
    const [waits] = telemetry.points(metrics, METRIC_NAMES.waitDuration);
    expect(waits?.attributes).toMatchObject({ 'connexease.outcome': 'INVALID_CREDENTIALS' });

    await auth.unblock();
    metrics = await telemetry.collect();
    expect(telemetry.points(metrics, METRIC_NAMES.blocked)).toEqual([
      { attributes: { [NS]: namespace, 'connexease.block.code': 'INVALID_CREDENTIALS' }, value: 0 },
    ]);
  });

  it('a 401 on an API call: the recovery is a wait with reason "unauthorized", and the new token is reported', async () => {
    const { api, auth } = setup();
    await api.get('some/endpoint/');
    const before = (await auth.status()).token!;
    mock.control.revoke({ username: USER.username });
    await api.get('some/endpoint/');
    const metrics = await telemetry.collect();
    const reasons = telemetry
      .spans()
      .filter((span) => span.name === SPAN_NAMES.wait)
      .map((span) => span.attributes['connexease.wait.reason']);
    expect(reasons).toEqual(['token', 'unauthorized']);
    expect(telemetry.points(metrics, METRIC_NAMES.jwtAttempts)).toEqual([
      { attributes: { [NS]: (await auth.status()).namespace, 'connexease.outcome': 'issued' }, value: 2 },
    ]);
    const [expiresIn] = telemetry.points(metrics, METRIC_NAMES.tokenExpiresIn);
    expect((expiresIn?.value as number) * 1000).toBeGreaterThan(before.expiresAt - Date.now());
  });

  it('counts a store that forgot its records (connexease.store.resets) and failed store calls (connexease.store.errors)', async () => {
    const store = createMemoryTokenStore();
    onTestFinished(() => store.close());
    const { auth } = setup(USER, { store, storeCheckIntervalMs: 100 });
    await auth.getAuthorization();
    const { namespace } = await auth.status();
    let metrics = await telemetry.collect();
    expect(telemetry.points(metrics, METRIC_NAMES.storeResets), 'nothing lost yet').toEqual([]);
    expect(telemetry.points(metrics, METRIC_NAMES.storeErrors), 'no failure yet').toEqual([]);

    // An empty restart: the replica's periodic check finds the quota record gone and re-adds it.
    const reset = nextEvent(auth, 'store-reset');
    store.debugLoseRecords(namespace, 'everything');
    await reset;
    // The store goes away: the next check fails.
    const failed = nextEvent(auth, 'store-error');
    await store.close();
    const { operation } = await failed;

    metrics = await telemetry.collect();
    expect(telemetry.points(metrics, METRIC_NAMES.storeResets)).toEqual([
      {
        attributes: {
          [NS]: namespace,
          'connexease.store.reset.detected_by': 'watch',
          'connexease.store.reset.quota_lost': false,
        },
        value: 1,
      },
    ]);
    expect(telemetry.points(metrics, METRIC_NAMES.storeErrors)).toEqual([
      expect.objectContaining({ attributes: { [NS]: namespace, 'connexease.store.operation': operation } }),
    ]);
  });

  it('uninstrument() stops everything: no new data points, no spans, no gauges', async () => {
    const { auth, uninstrument } = setup();
    await auth.getAuthorization();
    uninstrument();
    uninstrument();
    const spansBefore = telemetry.spans().length;
    mock.control.revoke({ username: USER.username });
    await auth.handleUnauthorized(await auth.getAuthorization());
    const metrics = await telemetry.collect();
    expect(telemetry.spans()).toHaveLength(spansBefore);
    expect(telemetry.points(metrics, METRIC_NAMES.jwtAttempts)).toEqual([
      expect.objectContaining({ value: 1 }),
    ]);
    expect(telemetry.points(metrics, METRIC_NAMES.quotaUsed)).toEqual([]);
    expect(telemetry.points(metrics, METRIC_NAMES.tokenExpiresIn)).toEqual([]);
    // Nothing is left subscribed: the provider's channels are back to costing nothing.
    expect(hasSubscribers(DIAGNOSTICS_CHANNELS.event)).toBe(false);
    expect(tracingChannel(DIAGNOSTICS_CHANNELS.jwtIssue).hasSubscribers).toBe(false);
    expect(tracingChannel(DIAGNOSTICS_CHANNELS.wait).hasSubscribers).toBe(false);
  });

  it('without options it uses the global meter and tracer providers', async () => {
    telemetry = createTelemetry();
    metrics.setGlobalMeterProvider(telemetry.meterProvider);
    trace.setGlobalTracerProvider(telemetry.tracerProvider);
    onTestFinished(() => {
      metrics.disable();
      trace.disable();
    });
    const uninstrument = instrumentConnexease();
    onTestFinished(uninstrument);
    const client = createConnexeaseClient({ baseUrl: mock.url, credentials: USER, retry: FAST_RETRY });
    onTestFinished(() => client.auth.close());
    await client.auth.getAuthorization();
    const collected = await telemetry.collect();
    expect(telemetry.points(collected, METRIC_NAMES.jwtAttempts)).toEqual([
      expect.objectContaining({
        value: 1,
        attributes: expect.objectContaining({ 'connexease.outcome': 'issued' }),
      }),
    ]);
    expect(telemetry.spans().map((span) => span.name)).toEqual([SPAN_NAMES.jwtIssue, SPAN_NAMES.wait]);
  });

  it('exports no password, token or Authorization value in any metric or span', async () => {
    const { api, auth } = setup();
    mock.control.queueFaults('502-html');
    await api.get('some/endpoint/');
    const first = await auth.getAuthorization();
    mock.control.revoke({ username: USER.username });
    await api.get('some/endpoint/');
    const second = await auth.getAuthorization();
    const wrong = createConnexeaseClient({
      baseUrl: mock.url,
      credentials: { username: USER.username, password: 'another-wrong-SECRET' },
    });
    onTestFinished(() => wrong.auth.close());
    await expect(wrong.auth.getAuthorization()).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });

    const metrics = await telemetry.collect();
    const exported = [...metrics.values(), ...telemetry.spans().map(spanView)];
    expect(exported.length).toBeGreaterThan(5);
    const texts = [JSON.stringify(exported), inspect(exported, { depth: 20 })];
    const secrets = [
      USER.password,
      'another-wrong-SECRET',
      first,
      second,
      ...[first, second].map((h) => h.slice(4)),
    ];
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
  });
});

/** The provider's next event of `type`. */
function nextEvent<T extends AuthEvent['type']>(
  auth: TokenProvider,
  type: T,
): Promise<Extract<AuthEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = auth.onEvent((event) => {
      if (event.type !== type) return;
      off();
      resolve(event as Extract<AuthEvent, { type: T }>);
    });
  });
}

function hrtimeMs([seconds, nanos]: [number, number]): number {
  return seconds * 1000 + nanos / 1e6;
}

/** What an exporter would send of a span. */
function spanView(span: import('@opentelemetry/sdk-trace').ReadableSpan): unknown {
  return { name: span.name, attributes: span.attributes, status: span.status, events: span.events };
}
