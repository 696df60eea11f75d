import type { TokenStore } from '@connexease-kit/auth-core';
import type { QuotaDecision } from '@connexease-kit/auth-core/store';
import { describe, expect } from 'vitest';
import { betweenClockReadings, expectBetween, mustAcquire } from '../fixtures.ts';
import type { SuiteContext } from '../harness.ts';
import { randomNamespace } from '../random-namespace.ts';
import { eventually } from '../timing.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const RACERS = 50;
const RACE_LIMIT = 30;

function granted(decisions: QuotaDecision[]): number {
  return decisions.filter((decision) => decision.granted).length;
}

/** reserveIssue / quotaUsage: the sliding-window issue budget. */
export function describeQuota<S extends TokenStore>({ it, settings }: SuiteContext<S>): void {
  describe('quota', () => {
    it('quotaUsage on an empty namespace reports nothing used', async (h) => {
      const store = await h.store();
      const usage = await store.quotaUsage(randomNamespace(), { windowMs: DAY_MS });
      expect(usage.used, 'quotaUsage on an unused namespace must report nothing used').toBe(0);
      expect(usage.reservedAt, 'quotaUsage on an unused namespace must list no reservations').toEqual([]);
      expect(Number.isFinite(usage.now), "quotaUsage must report the store clock's now").toBe(true);
    });

    it('reserveIssue grants up to the limit, then denies with used = limit and retryAt = oldest + windowMs', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const request = { limit: 3, windowMs: DAY_MS, lease: await mustAcquire(store, ns) };
      const reading = await betweenClockReadings(settings, store, async () => [
        await store.reserveIssue(ns, { ...request, id: 'first' }),
        await store.reserveIssue(ns, { ...request, id: 'second' }),
        await store.reserveIssue(ns, { ...request, id: 'third' }),
      ]);
      expect(reading.value, 'reserveIssue must grant up to the limit, counting each grant').toMatchObject([
        { granted: true, used: 1, limit: 3 },
        { granted: true, used: 2, limit: 3 },
        { granted: true, used: 3, limit: 3 },
      ]);
      for (const decision of reading.value)
        expect(decision.denied, 'a granted reservation must carry no denied reason').toBeUndefined();

      const denied = await store.reserveIssue(ns, { ...request, id: 'fourth' });
      const usage = await store.quotaUsage(ns, { windowMs: DAY_MS });

      expect(
        denied,
        "at the limit reserveIssue must deny with denied: 'quota' and used = limit",
      ).toMatchObject({ granted: false, denied: 'quota', used: 3, limit: 3 });
      expect(usage.used, 'a denied reservation is not counted').toBe(3);
      expect(
        Math.abs(denied.retryAt! - (usage.reservedAt[0]! + DAY_MS)),
        'a denial must carry retryAt = oldest reservation + windowMs',
      ).toBeLessThanOrEqual(1);
      expectBetween(
        settings,
        denied.retryAt!,
        { before: reading.before + DAY_MS, after: reading.after + DAY_MS },
        'retryAt',
      );
    });

    it('reserveIssue is idempotent by id: a repeated id counts once and answers granted', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const request = { id: 'attempt-1', limit: 2, windowMs: DAY_MS, lease: await mustAcquire(store, ns) };

      expect(
        await store.reserveIssue(ns, request),
        'the first reservation of an id must be granted',
      ).toMatchObject({ granted: true, used: 1, limit: 2 });
      expect(
        await store.reserveIssue(ns, request),
        'a repeated id must answer granted without counting again',
      ).toMatchObject({ granted: true, used: 1, limit: 2 });
      expect(
        await store.reserveIssue(ns, { ...request, id: 'attempt-2' }),
        'a new id must be granted and counted',
      ).toMatchObject({
        granted: true,
        used: 2,
      });
      expect(await store.reserveIssue(ns, request), 'repeated after the limit was reached').toMatchObject({
        granted: true,
        used: 2,
      });
      expect((await store.quotaUsage(ns, { windowMs: DAY_MS })).used, 'a repeated id must count once').toBe(
        2,
      );
    });

    it('a denied id is not remembered: repeated while the window is full it is denied again, and counts once granted', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const notHeld = { ...lease, id: crypto.randomUUID() };
      const request = { limit: 1, windowMs: DAY_MS };

      expect(
        await store.reserveIssue(ns, { ...request, id: 'retried', lease: notHeld }),
        'a reservation without the current lease must be denied with denied: lease',
      ).toMatchObject({ granted: false, denied: 'lease' });
      expect(
        await store.reserveIssue(ns, { ...request, id: 'retried', lease }),
        'an id denied for the lease must be reservable by the holder afterwards, counted once',
      ).toMatchObject({ granted: true, used: 1 });

      const full = { ...request, id: 'refused', lease };
      expect(await store.reserveIssue(ns, full), 'the window is full at the limit').toMatchObject({
        granted: false,
        denied: 'quota',
      });
      expect(
        await store.reserveIssue(ns, full),
        'repeating a denied id must be denied again: idempotency applies only to ids that were granted',
      ).toMatchObject({ granted: false, denied: 'quota', used: 1 });
      expect(
        (await store.quotaUsage(ns, { windowMs: DAY_MS })).entries.map((entry) => entry.id),
        'denied reservations must never be counted',
      ).toEqual(['retried']);
    });

    it('the same id reserved concurrently counts once', async (h) => {
      const store = await h.store();
      const stores = settings.multiProcess ? await h.instances() : [store];
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const decisions = await Promise.all(
        Array.from({ length: 10 }, (_, i) =>
          stores[i % stores.length]!.reserveIssue(ns, { id: 'same', limit: 5, windowMs: DAY_MS, lease }),
        ),
      );

      expect(granted(decisions), 'every concurrent call with one id must answer granted').toBe(10);
      expect(
        (await store.quotaUsage(ns, { windowMs: DAY_MS })).used,
        'one id reserved concurrently must count once',
      ).toBe(1);
    });

    it(`${RACERS} concurrent reservers against a limit of ${RACE_LIMIT} on one instance: exactly ${RACE_LIMIT} granted`, async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const decisions = await Promise.all(
        Array.from({ length: RACERS }, (_, i) =>
          store.reserveIssue(ns, { id: `racer-${i}`, limit: RACE_LIMIT, windowMs: DAY_MS, lease }),
        ),
      );

      expect(granted(decisions), 'concurrent reservers must get exactly limit grants').toBe(RACE_LIMIT);
      for (const decision of decisions)
        expect(decision.used, 'no answer may report more than limit used').toBeLessThanOrEqual(RACE_LIMIT);
      for (const decision of decisions.filter((d) => !d.granted)) {
        expect(decision, 'a denial under contention must report used = limit').toMatchObject({
          used: RACE_LIMIT,
          limit: RACE_LIMIT,
        });
        expect(Number.isFinite(decision.retryAt), 'a denial must carry a finite retryAt').toBe(true);
      }
      expect(
        (await store.quotaUsage(ns, { windowMs: DAY_MS })).used,
        'exactly limit reservations must be counted',
      ).toBe(RACE_LIMIT);
    });

    if (settings.multiProcess) {
      it(`${RACERS} concurrent reservers across ${settings.instances} instances against a limit of ${RACE_LIMIT}: exactly ${RACE_LIMIT} granted`, async (h) => {
        const stores = await h.instances();
        const ns = randomNamespace();
        const lease = await mustAcquire(stores[0]!, ns);
        const decisions = await Promise.all(
          Array.from({ length: RACERS }, (_, i) =>
            stores[i % stores.length]!.reserveIssue(ns, {
              id: `racer-${i}`,
              limit: RACE_LIMIT,
              windowMs: DAY_MS,
              lease,
            }),
          ),
        );

        expect(
          granted(decisions),
          'concurrent reservers across instances must get exactly limit grants',
        ).toBe(RACE_LIMIT);
        for (const store of stores) {
          expect(
            (await store.quotaUsage(ns, { windowMs: DAY_MS })).used,
            'every instance must count exactly limit reservations',
          ).toBe(RACE_LIMIT);
        }
      });
    }

    it('reservations of a holder that crashed before reporting stay counted', async (h) => {
      const ns = randomNamespace();
      const crashed = await h.store();
      const crashedLease = await mustAcquire(crashed, ns, 300);
      for (const id of ['a', 'b', 'c']) {
        const request = { id, limit: 3, windowMs: DAY_MS, lease: crashedLease };
        expect(
          (await crashed.reserveIssue(ns, request)).granted,
          'the lease holder must be granted below the limit',
        ).toBe(true);
      }
      // The holder never says how its attempts ended: there is no release API, so nothing gives them back.
      const survivor = await h.peer();
      const lease = await eventually(
        () => survivor.acquireLease(ns, { ttlMs: 60_000 }),
        (taken) => taken !== null,
        { timeoutMs: 300 + settings.expiryGraceMs, description: "the crashed holder's lease lapsed" },
      );

      expect(
        (await survivor.quotaUsage(ns, { windowMs: DAY_MS })).used,
        "a crashed holder's reservations must stay counted (nothing gives a reservation back)",
      ).toBe(3);
      expect(
        await survivor.reserveIssue(ns, { id: 'd', limit: 3, windowMs: DAY_MS, lease: lease! }),
        "the next holder must be denied while the crashed holder's reservations fill the window",
      ).toMatchObject({
        granted: false,
        used: 3,
      });
    });

    it(
      'reservations age out of the window after windowMs',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const windowMs = 400;
        const lease = await mustAcquire(store, ns);
        expect(
          (await store.reserveIssue(ns, { id: 'old', limit: 1, windowMs, lease })).granted,
          'the first reservation must be granted',
        ).toBe(true);
        expect(
          (await store.reserveIssue(ns, { id: 'new', limit: 1, windowMs, lease })).granted,
          'a reservation over the limit must be denied',
        ).toBe(false);

        await eventually(
          () => store.quotaUsage(ns, { windowMs }),
          (usage) => usage.used === 0,
          { timeoutMs: windowMs + settings.expiryGraceMs, description: 'the reservation aged out' },
        );
        expect(
          await store.reserveIssue(ns, { id: 'new', limit: 1, windowMs, lease }),
          'once the old reservation aged out of windowMs, a new one (even a previously denied id) must be granted',
        ).toMatchObject({
          granted: true,
          used: 1,
          limit: 1,
        });
      },
      400 + settings.expiryGraceMs,
    );

    it('quotaUsage lists reservation times oldest first and reserves nothing', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const reading = await betweenClockReadings(settings, store, async () => {
        for (const id of ['a', 'b', 'c'])
          await store.reserveIssue(ns, { id, limit: 10, windowMs: DAY_MS, lease });
      });

      const usage = await store.quotaUsage(ns, { windowMs: DAY_MS });
      const again = await store.quotaUsage(ns, { windowMs: DAY_MS });

      expect(usage.used, 'quotaUsage must count every reservation').toBe(3);
      expect(usage.reservedAt, 'quotaUsage must list every reservation time').toHaveLength(3);
      expect(usage.reservedAt, 'reservedAt must be oldest first').toEqual(
        [...usage.reservedAt].sort((a, b) => a - b),
      );
      for (const time of usage.reservedAt) expectBetween(settings, time, reading, 'reservedAt');
      expect(usage.now, 'now must not be before the newest reservation').toBeGreaterThanOrEqual(
        usage.reservedAt[2]!,
      );
      expect(again.used, 'reading usage reserved something').toBe(3);
    });

    it('limits and windows are per namespace', async (h) => {
      const store = await h.store();
      const full = randomNamespace();
      const other = randomNamespace();
      const lease = await mustAcquire(store, full);
      const otherLease = await mustAcquire(store, other);
      expect(
        (await store.reserveIssue(full, { id: 'a', limit: 1, windowMs: DAY_MS, lease })).granted,
        'the first reservation must be granted',
      ).toBe(true);
      expect(
        (await store.reserveIssue(full, { id: 'b', limit: 1, windowMs: DAY_MS, lease })).granted,
        'a reservation over the limit must be denied',
      ).toBe(false);

      const request = { id: 'a', limit: 1, windowMs: DAY_MS, lease: otherLease };
      expect(
        await store.reserveIssue(other, request),
        "a full namespace must not count against another namespace's limit",
      ).toMatchObject({
        granted: true,
        used: 1,
        limit: 1,
      });
      expect(
        (await store.quotaUsage(full, { windowMs: DAY_MS })).used,
        "another namespace's reservation must not count here",
      ).toBe(1);
    });
  });
}
