import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { EventHub } from '../src/diagnostics/event-hub.ts';
import { retryDelay, retryDelayAfter } from '../src/provider/backoff.ts';
import { ANSWER_SLACK_MS, fleetBackoff, fleetBackoffDelay } from '../src/provider/fleet-backoff.ts';
import { SingleFlight } from '../src/provider/single-flight.ts';

const options = { leaseTtlMs: 30_000, quota: { limit: 25, windowMs: 86_400_000 }, attempts: 3 };

describe('fleetBackoff', () => {
  test('nothing unanswered: no pause, the full retry budget', () => {
    expect(fleetBackoff({ reservedAt: [1000, 2000], answeredAt: 5000 }, options)).toEqual({
      unanswered: 0,
      notBefore: null,
      attempts: 3,
    });
    // The successful attempt is stamped by the store just before its token's issuedAt (clock skew allowed).
    expect(fleetBackoff({ reservedAt: [5000 + ANSWER_SLACK_MS], answeredAt: 5000 }, options).unanswered).toBe(
      0,
    );
  });

  test('one unknown attempt (a leader that died mid-request): one lease TTL, then the remaining retries', () => {
    expect(fleetBackoff({ reservedAt: [10_000], answeredAt: Number.NEGATIVE_INFINITY }, options)).toEqual({
      unanswered: 1,
      notBefore: 40_000,
      attempts: 2,
    });
  });

  test('after a leader spent its retries: a doubling pause from the last attempt, one probe at a time', () => {
    const verdict = fleetBackoff({ reservedAt: [0, 100, 200, 300], answeredAt: -1e9 }, options);
    expect(verdict).toEqual({ unanswered: 4, notBefore: 300 + 8 * 30_000, attempts: 1 });
  });

  test('the pause grows with the count and is capped at 2 × window / limit', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => fleetBackoffDelay(n, options));
    for (let i = 1; i < delays.length; i += 1) expect(delays[i]!).toBeGreaterThanOrEqual(delays[i - 1]!);
    expect(delays[0]).toBe(30_000);
    expect(Math.max(...delays)).toBe((2 * 86_400_000) / 25);
  });

  /** Replays an endless outage: every attempt fails and the next one comes as early as the rule allows. */
  function outage(limit: number, leaseTtlMs: number, windows: number): number[] {
    const windowMs = 86_400_000;
    const settings = { leaseTtlMs, quota: { limit, windowMs }, attempts: 3 };
    const reservedAt: number[] = [];
    let now = 0;
    while (now < windows * windowMs) {
      const inWindow = reservedAt.filter((time) => time > now - windowMs);
      const verdict = fleetBackoff({ reservedAt: inWindow, answeredAt: Number.NEGATIVE_INFINITY }, settings);
      now = Math.max(now, verdict.notBefore ?? now);
      for (let i = 0; i < verdict.attempts; i += 1) reservedAt.push(now + i);
      now += verdict.attempts;
    }
    return reservedAt;
  }

  test('with the defaults, the worst day of an outage leaves part of the quota for the recovery', () => {
    const attempts = outage(25, 30_000, 1).filter((time) => time < 86_400_000);
    expect(attempts.length).toBeGreaterThan(10);
    expect(attempts.length).toBeLessThanOrEqual(21);
  });

  test('property: once the ramp is over, an outage spends about half the quota per window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 30 }),
        fc.integer({ min: 1000, max: 600_000 }),
        (limit, leaseTtlMs) => {
          const attempts = outage(limit, leaseTtlMs, 3);
          const secondWindow = attempts.filter((time) => time >= 86_400_000 && time < 2 * 86_400_000);
          expect(secondWindow.length).toBeLessThanOrEqual(Math.floor(limit / 2) + 1);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('retryDelay (capped exponential backoff, full jitter)', () => {
  test('stays within [0, min(max, base × 2^(n-1)))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 50 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (attempt, r) => {
          const delay = retryDelay(attempt, { baseDelayMs: 500, maxDelayMs: 10_000 }, () => r);
          expect(delay).toBeGreaterThanOrEqual(0);
          expect(delay).toBeLessThan(Math.min(10_000, 500 * 2 ** (attempt - 1)));
        },
      ),
    );
  });

  test("honours a server's Retry-After up to the cap", () => {
    const backoff = { baseDelayMs: 500, maxDelayMs: 10_000 };
    expect(retryDelayAfter(1, backoff, () => 0, 0, 3000)).toBe(3000);
    expect(retryDelayAfter(1, backoff, () => 0, 0, 60_000)).toBe(10_000);
    expect(retryDelayAfter(1, backoff, () => 0.5, 0, undefined)).toBe(250);
  });
});

describe('SingleFlight', () => {
  test('shares one run per key while it is running, then starts afresh', async () => {
    const flights = new SingleFlight<string, number>();
    let runs = 0;
    const work = async () => {
      runs += 1;
      return runs;
    };
    const [a, b] = await Promise.all([flights.run('k', work), flights.run('k', work)]);
    expect([a, b, runs]).toEqual([1, 1, 1]);
    expect(await flights.run('k', work)).toBe(2);
    expect(await flights.run('other', work)).toBe(3);
    expect(flights.all()).toEqual([]);
  });

  test('a failure is shared too, and never unhandled when nobody awaits it', async () => {
    const flights = new SingleFlight<string, number>();
    const failing = flights.run('k', async () => {
      throw new Error('boom');
    });
    await expect(Promise.all([failing, flights.run('k', async () => 1)])).rejects.toThrow('boom');
    void flights.run('x', async () => {
      throw new Error('ignored');
    });
  });
});

describe('EventHub', () => {
  test('a throwing listener does not stop the others', () => {
    const hub = new EventHub();
    const seen: string[] = [];
    hub.on(() => {
      throw new Error('bad listener');
    });
    hub.on((event) => seen.push(event.type));
    hub.emit({ type: 'unblocked', ns: 'n' });
    expect(seen).toEqual(['unblocked']);
  });
});
