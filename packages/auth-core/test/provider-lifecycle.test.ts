import { type AuthEvent, createTokenProvider } from '@connexease-kit/auth-core';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { createMemoryTokenStore } from '../../token-store-memory/src/index.ts';
import {
  advance,
  createFleet,
  DAY,
  drive,
  eventsOf,
  type Fleet,
  flush,
  PASSWORD,
  settle,
  settleError,
  useVirtualTime,
} from './support/provider-harness.ts';

let fleet: Fleet;

beforeEach(() => {
  useVirtualTime();
});

afterEach(async () => {
  await fleet?.closeAll();
  vi.useRealTimers();
});

describe('status()', () => {
  test('reports mode, namespace, quota, token times, block and lease, never a token value', async () => {
    fleet = createFleet({ provider: { quota: { limit: 10, windowMs: DAY } } });
    const provider = fleet.replica();
    const cold = await provider.status();
    expect(cold).toMatchObject({ mode: 'jwt', token: null, block: null, lease: null });
    expect(cold.namespace).toMatch(/^[0-9a-f]{32}$/);
    expect(cold.quota).toEqual({ used: 0, limit: 10, remaining: 10, windowMs: DAY, retryAt: null });

    const issuedAt = Date.now();
    await settle(provider.getAuthorization());
    const warm = await provider.status();
    expect(warm.quota).toMatchObject({ used: 1, remaining: 9 });
    expect(warm.token).toEqual({
      issuedAt,
      expiresAt: issuedAt + DAY,
      refreshAt: issuedAt + DAY - 30 * 60_000,
    });
    expect(JSON.stringify(warm)).not.toContain(fleet.fake.tokens[0]!.split('.')[1]!);

    // Another replica that never fetched a token reports the stored one.
    expect((await fleet.replica().status()).token).toEqual(warm.token);
  });

  test('shows the lease while a leader holds it', async () => {
    fleet = createFleet({ issuer: { latencyMs: 10_000 } });
    const provider = fleet.replica();
    const pending = drive(provider.getAuthorization(), { stepMs: 100 });
    await advance(1000, 100);
    const { lease } = await provider.status();
    expect(lease).toEqual({ fence: 1, expiresAt: expect.any(Number) });
    expect(lease!.expiresAt).toBeGreaterThan(Date.now());
    await pending;
    expect((await provider.status()).lease).toBeNull();
  });
});

describe('events', () => {
  test('onEvent subscribes and unsubscribes; a throwing listener changes nothing', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    const seen: AuthEvent[] = [];
    const unsubscribe = provider.onEvent((event) => seen.push(event));
    provider.onEvent(() => {
      throw new Error('listener bug');
    });
    const header = await settle(provider.getAuthorization());
    expect(header).toMatch(/^JWT /);
    expect(seen.map((event) => event.type)).toEqual(['quota-reserved', 'issued']);
    unsubscribe();
    unsubscribe();
    await provider.unblock();
    expect(seen).toHaveLength(2);
    expect(eventsOf(fleet.events, 'unblocked')).toHaveLength(1);
  });

  test('quota-low and quota-exhausted', async () => {
    fleet = createFleet({
      issuer: { fallback: 503 },
      provider: { quota: { limit: 3, windowMs: DAY }, quotaLowRatio: 0.5 },
    });
    const error = await settleError(fleet.replica().getAuthorization());
    expect(error.code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    expect(eventsOf(fleet.events, 'quota-low').map((event) => event.remaining)).toEqual([1, 0]);
    // Past the fleet backoff (16 h with a limit of 3) but inside the window: the quota is what stops us.
    await advance(17 * 60 * 60_000, 60 * 60_000);
    const exhausted = await settleError(fleet.replica().getAuthorization());
    expect(exhausted.code).toBe('QUOTA_EXHAUSTED');
    expect(eventsOf(fleet.events, 'quota-exhausted')).toEqual([
      expect.objectContaining({ used: 3, limit: 3, retryAt: exhausted.retryAt }),
    ]);
    expect(fleet.fake.calls).toHaveLength(3);
  });

  test('options that are legal but risky are reported as warning events', () => {
    fleet = createFleet();
    const events: AuthEvent[] = [];
    createTokenProvider({
      credentials: { username: 'john', password: PASSWORD },
      issuer: fleet.fake.issuer,
      store: fleet.memory,
      quota: { limit: 5, windowMs: 60_000 },
      onEvent: (event) => events.push(event),
    });
    expect(events).toEqual([
      expect.objectContaining({ type: 'warning', message: expect.stringContaining('24 hours') }),
    ]);
  });
});

describe('signals and timeouts', () => {
  test("a caller's signal ends only that caller's wait; the others get the token", async () => {
    fleet = createFleet({ issuer: { latencyMs: 5000 } });
    const provider = fleet.replica();
    const controller = new AbortController();
    const aborted = drive(provider.getAuthorization({ signal: controller.signal }), { stepMs: 100 });
    const patient = drive(provider.getAuthorization(), { stepMs: 100 });
    await advance(1000, 100);
    controller.abort(new Error('client went away'));
    expect(await aborted).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
    expect(await patient).toEqual({ ok: true, value: `JWT ${fleet.fake.tokens[0]}` });
    expect(fleet.fake.calls).toHaveLength(1);
  });

  test('an already aborted signal rejects at once, even with a token held', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    await settle(provider.getAuthorization());
    const signal = AbortSignal.abort();
    await expect(provider.getAuthorization({ signal })).rejects.toMatchObject({ code: 'ABORTED' });
    await expect(provider.handleUnauthorized('JWT x', { signal })).rejects.toMatchObject({ code: 'ABORTED' });
  });

  test('waitTimeoutMs: TIMEOUT saying another replica holds the lease', async () => {
    fleet = createFleet({ provider: { waitTimeoutMs: 5000 } });
    const provider = fleet.replica();
    const { namespace } = await provider.status();
    // Another replica holds the lease (for longer than we are willing to wait) and publishes nothing.
    expect(await fleet.memory.acquireLease(namespace, { ttlMs: 600_000 })).not.toBeNull();
    const error = await settleError(provider.getAuthorization());
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toMatch(/another replica holds the token lease/);
    expect(error.message).toMatch(/^no JWT after (waiting )?5s \(waitTimeoutMs\)/);
    expect(fleet.fake.calls).toHaveLength(0);
    expect(eventsOf(fleet.events, 'waited')).toContainEqual(expect.objectContaining({ outcome: 'timeout' }));
  });
});

describe('close()', () => {
  test('stops timers, ends waits with ABORTED, releases the lease and leaves the store open', async () => {
    fleet = createFleet({ issuer: { fallback: 'hang' } });
    const provider = fleet.replica();
    const pending = drive(provider.getAuthorization(), { stepMs: 100 });
    await advance(1000, 100);
    const { namespace } = await provider.status();
    expect(await fleet.memory.readLease(namespace)).not.toBeNull();
    await provider.close();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'ABORTED' } });
    await flush();
    expect(await fleet.memory.readLease(namespace)).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
    // The store was not the provider's to close.
    expect(await fleet.memory.readToken(namespace)).toBeNull();
    expect((await settleError(provider.getAuthorization())).code).toBe('ABORTED');
    await provider.close();
  });

  test('a held token is still served after close(), without I/O', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    const header = await settle(provider.getAuthorization());
    await provider.close();
    expect(await provider.getAuthorization()).toBe(header);
  });
});

describe('status() after close()', () => {
  test('rejects with ABORTED and leaves no unhandled rejection behind, even when the store is closed too', async () => {
    vi.useRealTimers();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      const store = createMemoryTokenStore();
      const provider = createTokenProvider({
        credentials: { username: 'john.doe', password: 'hunter2-SECRET' },
        issuer: async () => {
          throw new Error('not called');
        },
        store,
      });
      await provider.close();
      await store.close();
      await expect(provider.status()).rejects.toMatchObject({ code: 'ABORTED' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
