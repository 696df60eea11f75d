import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  advance,
  createFleet,
  DAY,
  eventsOf,
  type Fleet,
  flush,
  HOUR,
  settle,
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

describe('the hot path', () => {
  test('a held token that is not due is served from memory: no store call', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    const header = await settle(provider.getAuthorization());
    const callsBefore = fleet.control.total();
    for (let i = 0; i < 1000; i += 1) expect(await provider.getAuthorization()).toBe(header);
    expect(fleet.control.total()).toBe(callsBefore);

    await advance(23 * HOUR, HOUR);
    // Meanwhile only the periodic store check ran (guarantee 10), never on the caller's path.
    const background = fleet.control.log.slice(callsBefore).map(({ method }) => method);
    expect(new Set(background)).toEqual(new Set(['quotaUsage']));
    expect(background.length).toBeLessThanOrEqual(Math.ceil(23 / 0.75));
    const callsAfterWait = fleet.control.total();
    expect(await provider.getAuthorization()).toBe(header);
    expect(fleet.control.total()).toBe(callsAfterWait);
  });

  test('it does not wait on I/O: it answers even while every store call hangs', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    const header = await settle(provider.getAuthorization());
    fleet.control.mode = 'hanging';
    let answer: string | undefined;
    void provider.getAuthorization().then((value) => {
      answer = value;
    });
    for (let i = 0; i < 3; i += 1) await Promise.resolve();
    expect(answer).toBe(header);
  });
});

describe('single flight', () => {
  test('1,000 concurrent calls on a cold provider make exactly one issue', async () => {
    fleet = createFleet({ issuer: { latencyMs: 200 } });
    const provider = fleet.replica();
    const headers = await settle(
      Promise.all(Array.from({ length: 1000 }, () => provider.getAuthorization())),
    );
    expect(fleet.fake.calls).toHaveLength(1);
    expect(new Set(headers)).toEqual(new Set([`JWT ${fleet.fake.tokens[0]}`]));
  });

  test('10 replicas sharing one store, 100 concurrent calls each: exactly one issue fleet-wide', async () => {
    fleet = createFleet({ issuer: { latencyMs: 300 } });
    const replicas = Array.from({ length: 10 }, () => fleet.replica());
    const calls = replicas.flatMap((replica) =>
      Array.from({ length: 100 }, () => replica.getAuthorization()),
    );
    const headers = await settle(Promise.all(calls));
    expect(fleet.fake.calls).toHaveLength(1);
    expect(new Set(headers).size).toBe(1);
    expect(eventsOf(fleet.events, 'issued')).toHaveLength(1);
    // The nine others took the leader's token from the store, never issuing.
    expect(eventsOf(fleet.events, 'reused-from-store')).toHaveLength(9);
    const usage = await fleet.memory.quotaUsage(await replicas[0]!.status().then((s) => s.namespace), {
      windowMs: DAY,
    });
    expect(usage.used).toBe(1);
  });

  test('a replica that starts later adopts the stored token instead of issuing', async () => {
    fleet = createFleet();
    await settle(fleet.replica().getAuthorization());
    await advance(5 * HOUR, HOUR);
    const late = fleet.replica();
    expect(await settle(late.getAuthorization())).toBe(`JWT ${fleet.fake.tokens[0]}`);
    expect(fleet.fake.calls).toHaveLength(1);
  });
});

describe('refresh ahead of expiry', () => {
  test('a due token keeps serving while one background refresh replaces it', async () => {
    fleet = createFleet({ issuer: { latencyMs: 1000 } });
    const provider = fleet.replica();
    const first = await settle(provider.getAuthorization());
    await advance(DAY - 30 * 60_000 - 1000, HOUR / 2); // just before refreshAt (30 min ahead)
    expect(fleet.fake.calls).toHaveLength(1);
    await advance(2000);
    // Due now: the current token is returned at once, and many callers start only one refresh.
    const during = await Promise.all(Array.from({ length: 50 }, () => provider.getAuthorization()));
    expect(new Set(during)).toEqual(new Set([first]));
    await advance(5000, 500);
    expect(fleet.fake.calls).toHaveLength(2);
    const second = await provider.getAuthorization();
    expect(second).toBe(`JWT ${fleet.fake.tokens[1]}`);
    expect(eventsOf(fleet.events, 'refreshed')).toEqual([expect.objectContaining({ background: true })]);
  });

  test('background failures are events, not rejections, and are not retried in a tight loop', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    const first = await settle(provider.getAuthorization());
    fleet.fake.fallback = 503;
    await advance(DAY - 30 * 60_000 + 1000, HOUR / 2);
    // Ten minutes of traffic, a call every 100 ms: every call gets the current token.
    for (let t = 0; t < 10 * 60_000; t += 100) {
      expect(await provider.getAuthorization()).toBe(first);
      await vi.advanceTimersByTimeAsync(100);
      if (t % 5000 === 0) await flush();
    }
    await flush();
    const attempts = fleet.fake.calls.length - 1;
    // 3 attempts, then single probes after 2, 4, 8… minutes (the fleet backoff): 5 in ten minutes.
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(5);
    expect(eventsOf(fleet.events, 'issue-failed').length).toBe(attempts);
  });

  test('a due token found in the store is adopted and refreshed in the background', async () => {
    fleet = createFleet();
    const first = fleet.replica();
    await settle(first.getAuthorization());
    await first.close();
    await advance(DAY - 20 * 60_000, HOUR); // the stored token is due (20 min left) but works
    const late = fleet.replica();
    expect(await settle(late.getAuthorization())).toBe(`JWT ${fleet.fake.tokens[0]}`);
    await advance(2000, 500);
    expect(fleet.fake.calls).toHaveLength(2);
    expect(await late.getAuthorization()).toBe(`JWT ${fleet.fake.tokens[1]}`);
  });

  test('an expired token is not served: callers wait for the refresh', async () => {
    fleet = createFleet({ issuer: { lifetimeMs: 4 * HOUR } });
    const provider = fleet.replica();
    await settle(provider.getAuthorization());
    await advance(4 * HOUR + 1000, HOUR);
    const header = await settle(provider.getAuthorization());
    expect(header).toBe(`JWT ${fleet.fake.tokens[1]}`);
    expect(fleet.fake.calls).toHaveLength(2);
  });
});
