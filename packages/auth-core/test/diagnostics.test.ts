import type { AuthEvent } from '@connexease-kit/auth-core';
import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import type {
  JwtIssueTraceContext,
  StoreTraceContext,
  WaitTraceContext,
} from '@connexease-kit/auth-core/diagnostics';
import { DIAGNOSTICS_CHANNELS } from '@connexease-kit/auth-core/diagnostics';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { recordChannels } from './support/diagnostics.ts';
import {
  advance,
  createFleet,
  type Fleet,
  settle,
  settleError,
  useVirtualTime,
} from './support/provider-harness.ts';

let fleet: Fleet;
let channels: ReturnType<typeof recordChannels>;

beforeEach(() => {
  useVirtualTime();
  channels = recordChannels();
});

afterEach(async () => {
  channels.stop();
  await fleet?.closeAll();
  vi.useRealTimers();
});

const traced = <C>(name: string, kind: string): C[] => channels.on(`tracing:${name}:${kind}`) as C[];

describe('diagnostics channels', () => {
  test('the channel names are the documented ones', () => {
    expect(DIAGNOSTICS_CHANNELS).toEqual({
      event: 'connexease-kit:event',
      jwtIssue: 'connexease-kit:jwt-issue',
      wait: 'connexease-kit:wait',
      store: 'connexease-kit:store',
    });
  });

  test('every event a listener gets is published on connexease-kit:event, the same object in the same order', async () => {
    fleet = createFleet();
    fleet.fake.script(503, 'ok');
    const provider = fleet.replica();
    await settle(provider.getAuthorization());
    const published = channels.on('connexease-kit:event') as AuthEvent[];
    expect(published.map((event) => event.type)).toEqual([
      'quota-reserved',
      'issue-failed',
      'quota-reserved',
      'issued',
    ]);
    expect(published).toEqual(fleet.events);
    for (const [index, event] of published.entries()) expect(event).toBe(fleet.events[index]);
  });

  test('each POST /jwt/ attempt is one jwt-issue trace: its namespace and number, and the typed error when it fails', async () => {
    fleet = createFleet();
    fleet.fake.script(503, 'ok');
    const provider = fleet.replica();
    await settle(provider.getAuthorization());
    const { namespace } = await provider.status();

    const started = traced<JwtIssueTraceContext>(DIAGNOSTICS_CHANNELS.jwtIssue, 'start');
    expect(started).toEqual([
      { ns: namespace, attempt: 1, error: expect.any(ConnexeaseAuthError) },
      { ns: namespace, attempt: 2 },
    ]);
    expect(started[0]!.error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', status: 503 });
    expect(traced(DIAGNOSTICS_CHANNELS.jwtIssue, 'error')).toEqual([started[0]]);
    // Both attempts end; neither exposes what the issuer resolved with (it holds the token).
    const ended = traced<Record<string, unknown>>(DIAGNOSTICS_CHANNELS.jwtIssue, 'asyncEnd');
    expect(ended).toEqual(started.map((context) => ({ ...context, result: undefined })));
    for (const context of ended) expect(context.result).toBeUndefined();
  });

  test('callers waiting for a token are wait traces; a 401 recovery is one with reason "unauthorized"', async () => {
    fleet = createFleet({ issuer: { latencyMs: 50 } });
    const provider = fleet.replica();
    const [first] = await settle(Promise.all([provider.getAuthorization(), provider.getAuthorization()]));
    const { namespace } = await provider.status();
    const waits = traced<WaitTraceContext>(DIAGNOSTICS_CHANNELS.wait, 'start');
    expect(waits).toEqual([
      { ns: namespace, reason: 'token' },
      { ns: namespace, reason: 'token' },
    ]);

    await advance(5 * 60_000, 60_000);
    await settle(provider.handleUnauthorized(first));
    expect(traced<WaitTraceContext>(DIAGNOSTICS_CHANNELS.wait, 'asyncEnd').map((c) => c.reason)).toEqual([
      'token',
      'token',
      'unauthorized',
    ]);
  });

  test('a wait that fails carries its error', async () => {
    fleet = createFleet({ issuer: { fallback: 401 } });
    const provider = fleet.replica();
    await settleError(provider.getAuthorization());
    const [wait] = traced<WaitTraceContext>(DIAGNOSTICS_CHANNELS.wait, 'error');
    expect(wait?.error).toMatchObject({ code: 'INVALID_CREDENTIALS' });
  });

  test('store calls are store traces naming the operation; a failing store carries STORE_UNAVAILABLE', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    await settle(provider.getAuthorization());
    const { namespace } = await provider.status();
    const operations = traced<StoreTraceContext>(DIAGNOSTICS_CHANNELS.store, 'start').map((c) => c.operation);
    expect(operations).toEqual(
      expect.arrayContaining(['readToken', 'acquireLease', 'reserveIssue', 'writeToken']),
    );
    for (const context of traced<StoreTraceContext>(DIAGNOSTICS_CHANNELS.store, 'asyncEnd')) {
      expect(context.ns).toBe(namespace);
      expect((context as { result?: unknown }).result).toBeUndefined();
    }

    fleet.control.mode = 'failing';
    await settleError(fleet.replica().status());
    const failed = traced<StoreTraceContext>(DIAGNOSTICS_CHANNELS.store, 'error');
    expect(failed.length).toBeGreaterThan(0);
    for (const context of failed) expect(context.error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  test('serving a held token publishes nothing on any channel (the hot path stays memory-only)', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    await settle(provider.getAuthorization());
    const before = channels.published.length;
    for (let i = 0; i < 100; i += 1) await provider.getAuthorization();
    expect(channels.published.length).toBe(before);
  });
});

describe('a runtime without node:diagnostics_channel', () => {
  test('auth-core still loads and works, without channels', async () => {
    const original = process.getBuiltinModule;
    vi.resetModules();
    Object.defineProperty(process, 'getBuiltinModule', {
      value: undefined,
      configurable: true,
      writable: true,
    });
    try {
      const diagnostics = await import('../src/diagnostics/diagnostics.ts');
      expect(diagnostics.eventChannel).toBeUndefined();
      expect(diagnostics.jwtIssueChannel).toBeUndefined();
      expect(() => diagnostics.publishEvent({ type: 'unblocked', ns: 'n' })).not.toThrow();
      await expect(
        diagnostics.traceAsync(diagnostics.storeChannel, { ns: 'n', operation: 'x' }, async () => 7),
      ).resolves.toBe(7);
      const core = await import('../src/index.ts');
      const provider = core.createTokenProvider({ credentials: { accessToken: 'cxat_abc' } });
      expect(await provider.getAuthorization()).toBe('Bearer cxat_abc');
    } finally {
      Object.defineProperty(process, 'getBuiltinModule', {
        value: original,
        configurable: true,
        writable: true,
      });
      vi.resetModules();
    }
  });
});
