import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import {
  advance,
  createFleet,
  DAY,
  eventsOf,
  type Fleet,
  HOUR,
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

test('a held token keeps serving through a store outage until it expires; then STORE_UNAVAILABLE, no issue', async () => {
  fleet = createFleet();
  const provider = fleet.replica();
  const header = await settle(provider.getAuthorization());
  fleet.control.mode = 'failing';

  // Through the due period (the last 30 min) background refreshes fail as events, not as errors.
  await advance(DAY - HOUR, HOUR);
  for (let t = 0; t < HOUR - 1000; t += 10_000) {
    expect(await provider.getAuthorization()).toBe(header);
    await advance(10_000, 10_000);
  }
  const storeErrors = eventsOf(fleet.events, 'store-error');
  expect(storeErrors.length).toBeGreaterThan(0);
  // Backed off, not a tight loop: a handful of background tries in 30 min, not one per call.
  expect(fleet.control.counts.readBlock ?? 0).toBeLessThan(20);
  for (const event of storeErrors) expect(event.message).toContain('ECONNREFUSED');

  await advance(2000);
  const error = await settleError(provider.getAuthorization());
  expect(error.code).toBe('STORE_UNAVAILABLE');
  expect(error.cause).toBeInstanceOf(Error);
  expect(fleet.fake.calls).toHaveLength(1);
});

test('no issuer call without a confirmed reservation: a failing reserveIssue is STORE_UNAVAILABLE', async () => {
  fleet = createFleet();
  fleet.control.mode = 'failing';
  fleet.control.affected = new Set(['reserveIssue']);
  const provider = fleet.replica();
  const error = await settleError(provider.getAuthorization());
  expect(error.code).toBe('STORE_UNAVAILABLE');
  expect(fleet.fake.calls).toHaveLength(0);
  // The reserve call was asked again with the same id (its outcome was unknown).
  const ids = fleet.control.log
    .filter((entry) => entry.method === 'reserveIssue')
    .map((entry) => (entry.args[1] as { id: string }).id);
  expect(ids).toHaveLength(2);
  expect(ids[0]).toBe(ids[1]);
});

test('a store that recovers: the next call works', async () => {
  fleet = createFleet();
  const provider = fleet.replica();
  fleet.control.mode = 'failing';
  expect((await settleError(provider.getAuthorization())).code).toBe('STORE_UNAVAILABLE');
  fleet.control.mode = 'normal';
  expect(await settle(provider.getAuthorization())).toBe(`JWT ${fleet.fake.tokens[0]}`);
});

test('a token that cannot be stored is still served from memory', async () => {
  fleet = createFleet();
  fleet.control.mode = 'failing';
  fleet.control.affected = new Set(['writeToken']);
  const provider = fleet.replica();
  expect(await settle(provider.getAuthorization())).toBe(`JWT ${fleet.fake.tokens[0]}`);
  expect(eventsOf(fleet.events, 'warning')).toContainEqual(
    expect.objectContaining({ message: expect.stringContaining('served from memory only') }),
  );
  expect(fleet.fake.calls).toHaveLength(1);
});

test('status() during an outage is STORE_UNAVAILABLE', async () => {
  fleet = createFleet();
  const provider = fleet.replica();
  await settle(provider.getAuthorization());
  fleet.control.mode = 'failing';
  expect((await settleError(provider.status())).code).toBe('STORE_UNAVAILABLE');
});

test('a store that reports CONFIG_INVALID (misconfigured, or an adapter that could not be loaded) surfaces it unchanged', async () => {
  fleet = createFleet();
  const notInstalled = new ConnexeaseAuthError(
    'CONFIG_INVALID',
    'install it: npm install @connexease-kit/token-store-file',
  );
  const store = new Proxy(fleet.memory, {
    get: (target, property, receiver) =>
      property === 'close' ? Reflect.get(target, property, receiver) : () => Promise.reject(notInstalled),
  });
  const provider = fleet.replica({ store });
  // Not a retryable STORE_UNAVAILABLE: retrying a missing package cannot help, and the user must see the fix.
  const error = await settleError(provider.getAuthorization());
  expect(error).toBe(notInstalled);
  expect(fleet.fake.calls).toHaveLength(0);
  expect(eventsOf(fleet.events, 'store-error').length).toBeGreaterThan(0);
});
