import { describe, expect, test } from 'vitest';
import { resolveOptions } from '../src/options.ts';

const createStore = (): never => {
  throw new Error('not called');
};

describe('resolveOptions', () => {
  test('defaults: local clock, no notifications, 1 s poll, one backend per instance', () => {
    const settings = resolveOptions({ name: 'x', createStore });
    expect(settings).toMatchObject({
      clock: 'local',
      clockToleranceMs: 0,
      notifications: false,
      pollIntervalMs: 1000,
      multiProcess: false,
      instances: 4,
      timeoutMs: 20_000,
    });
  });

  test('a polling store must notice a write within about three poll intervals', () => {
    expect(
      resolveOptions({ name: 'x', createStore, capabilities: { pollIntervalMs: 2000 } }).wakeTimeoutMs,
    ).toBe(2000 * 3 + 5000);
  });

  test('a notifying store must wake well before a 10 s timeout, however long its poll', () => {
    const settings = resolveOptions({
      name: 'x',
      createStore,
      capabilities: { notifications: true, pollIntervalMs: 60_000 },
    });
    expect(settings.wakeTimeoutMs).toBe(10_000);
    expect(settings.pollWakeTimeoutMs).toBe(60_000 * 3 + 5000);
  });

  test('a store clock gets a default tolerance that also widens expiry deadlines', () => {
    const settings = resolveOptions({ name: 'x', createStore, capabilities: { clock: 'store' } });
    expect(settings.clockToleranceMs).toBe(1000);
    expect(settings.expiryGraceMs).toBe(5000 + 1000);
  });

  test('nonsense options fail loudly at registration', () => {
    expect(() => resolveOptions({ name: '', createStore })).toThrow(/name/);
    expect(() => resolveOptions({ name: 'x', createStore: undefined as never })).toThrow(/createStore/);
    expect(() => resolveOptions({ name: 'x', createStore, capabilities: { pollIntervalMs: 0 } })).toThrow(
      /pollIntervalMs/,
    );
    expect(() => resolveOptions({ name: 'x', createStore, instances: 1 })).toThrow(/instances/);
    expect(() => resolveOptions({ name: 'x', createStore, capabilities: { clockToleranceMs: -1 } })).toThrow(
      /clockToleranceMs/,
    );
  });
});
