import type { TokenStore } from '@connexease-kit/auth-core';
import type { Lease, TokenRecord } from '@connexease-kit/auth-core/store';
import { describe, expect } from 'vitest';
import { mustAcquire, tokenRecord } from '../fixtures.ts';
import type { SuiteContext } from '../harness.ts';
import { randomNamespace } from '../random-namespace.ts';
import { startAlarm } from '../timing.ts';

/** How long after the waiter starts the writer writes. */
const WRITE_DELAY_MS = 100;
/** A wait that must end by its own timeout. */
const SHORT_TIMEOUT_MS = 400;
/** Timer slack for "did not resolve before its timeout": timers never fire early, clocks tick in ms. */
const TIMER_SLACK_MS = 20;
/** A token that expires while a waiter waits for it to change. */
const EXPIRING_TOKEN_MS = 1500;

/** The alarm goes off a little before the waiter's own timeout, so resolving by timeout always trips it. */
function alarmBefore(timeoutMs: number): ReturnType<typeof startAlarm> {
  return startAlarm(timeoutMs - Math.min(1000, timeoutMs / 10));
}

async function seeded(store: TokenStore, ns: string): Promise<{ lease: Lease; record: TokenRecord }> {
  const lease = await mustAcquire(store, ns);
  const record = tokenRecord(lease);
  expect(await store.writeToken(ns, lease, record), 'writeToken under the current lease must succeed').toBe(
    true,
  );
  return { lease, record };
}

/** waitForToken: wakes on change, answers at once when already changed, times out, aborts. */
export function describeWakeUps<S extends TokenStore>({ it, settings }: SuiteContext<S>): void {
  const wakeTimeoutMs = settings.wakeTimeoutMs;
  const how = settings.notifications
    ? 'by notification, well before its timeout'
    : `by polling (every ${settings.pollIntervalMs} ms), before its timeout`;

  describe('wake-ups', () => {
    it(
      `waitForToken wakes ${how} when the same instance writes a new token`,
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const { lease, record } = await seeded(store, ns);
        const next = tokenRecord(lease);

        const alarm = alarmBefore(wakeTimeoutMs);
        const write = h.later(WRITE_DELAY_MS, () => store.writeToken(ns, lease, next));
        const woke = await store.waitForToken(ns, { known: record, timeoutMs: wakeTimeoutMs });
        alarm.cancel();

        expect(await write, 'writeToken under the current lease must succeed').toBe(true);
        expect(woke, 'a woken waiter must resolve with the record just written').toEqual(next);
        expect(alarm.fired, 'the waiter only woke at its timeout').toBe(false);
      },
      wakeTimeoutMs,
    );

    if (settings.multiProcess) {
      it(
        `waitForToken wakes ${how} when another instance writes`,
        async (h) => {
          const waiter = await h.store();
          const writer = await h.newStore();
          const ns = randomNamespace();
          const lease = await mustAcquire(writer, ns);
          const next = tokenRecord(lease);

          const alarm = alarmBefore(wakeTimeoutMs);
          const write = h.later(WRITE_DELAY_MS, () => writer.writeToken(ns, lease, next));
          const woke = await waiter.waitForToken(ns, { known: null, timeoutMs: wakeTimeoutMs });
          alarm.cancel();

          expect(await write, 'writeToken under the current lease must succeed').toBe(true);
          expect(woke, 'a waiter woken by another instance must resolve with the record it wrote').toEqual(
            next,
          );
          expect(alarm.fired, 'the waiter only woke at its timeout').toBe(false);
        },
        wakeTimeoutMs,
      );
    }

    it(
      'waitForToken wakes every waiter of the namespace on one write',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const lease = await mustAcquire(store, ns);
        const next = tokenRecord(lease);
        const waiters = await Promise.all([h.store(), h.peer(), h.peer()]);

        const alarm = alarmBefore(wakeTimeoutMs);
        const write = h.later(WRITE_DELAY_MS, () => store.writeToken(ns, lease, next));
        const woken = await Promise.all(
          [...waiters, ...waiters].map((waiter) =>
            waiter.waitForToken(ns, { known: null, timeoutMs: wakeTimeoutMs }),
          ),
        );
        alarm.cancel();

        expect(await write, 'writeToken under the current lease must succeed').toBe(true);
        expect(woken, 'one write must wake every waiter of the namespace with the written record').toEqual(
          woken.map(() => next),
        );
        expect(alarm.fired, 'some waiter only woke at its timeout').toBe(false);
      },
      wakeTimeoutMs,
    );

    it(
      `waitForToken on a fresh instance wakes ${how} for a write made right after the wait starts (no lost wake-up)`,
      async (h) => {
        const writer = await h.store();
        const ns = randomNamespace();
        const { lease, record } = await seeded(writer, ns);
        const next = tokenRecord(lease);
        // A new instance has no subscription yet; a single-process store is its own peer.
        const waiter = settings.multiProcess ? await h.newStore() : writer;

        const alarm = alarmBefore(wakeTimeoutMs);
        const woke = waiter.waitForToken(ns, { known: record, timeoutMs: wakeTimeoutMs });
        expect(
          await writer.writeToken(ns, lease, next),
          'writeToken under the current lease must succeed',
        ).toBe(true);
        const current = await woke;
        alarm.cancel();

        expect(current, 'the waiter must resolve with the record written after it started').toEqual(next);
        expect(
          alarm.fired,
          'a write that lands while a new waiter sets up its subscription must still wake it: subscribe (and wait ' +
            'until the subscription is active) before the first read, or the wake-up is lost until the next poll',
        ).toBe(false);
      },
      wakeTimeoutMs,
    );

    it(
      'waitForToken wakes with null when the known token expires, before its own timeout',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const lease = await mustAcquire(store, ns);
        const record = tokenRecord(lease, { expiresInMs: EXPIRING_TOKEN_MS });
        expect(await store.writeToken(ns, lease, record), 'writeToken under the current lease').toBe(true);
        const timeoutMs = Math.max(wakeTimeoutMs, EXPIRING_TOKEN_MS + settings.expiryGraceMs + 2000);

        const alarm = alarmBefore(timeoutMs);
        const current = await store.waitForToken(ns, { known: record, timeoutMs });
        alarm.cancel();

        expect(current, 'an expired token is no longer stored: the waiter must resolve with null').toBeNull();
        expect(
          alarm.fired,
          'nothing announces an expiry: a waiter whose known token expires must look again at its expiresAt ' +
            '(not only at its next poll or its timeout)',
        ).toBe(false);
      },
      EXPIRING_TOKEN_MS + settings.expiryGraceMs + Math.max(wakeTimeoutMs, 10_000),
    );

    it('waitForToken resolves at once with the stored record when it already differs from known', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const { lease, record } = await seeded(store, ns);
      const timeoutMs = 10_000;
      const staleValue = tokenRecord(lease);
      const staleFence = { ...record, fence: record.fence - 1 };

      for (const known of [null, staleValue, staleFence]) {
        const alarm = alarmBefore(timeoutMs);
        const current = await store.waitForToken(ns, { known, timeoutMs });
        alarm.cancel();
        expect(
          current,
          'a record that already differs from known (by value or fence) must be returned at once',
        ).toEqual(record);
        expect(alarm.fired, 'the waiter waited for its timeout').toBe(false);
      }
    });

    it('waitForToken resolves with null at once when a token is known but none is stored', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const timeoutMs = 10_000;

      const alarm = alarmBefore(timeoutMs);
      const current = await store.waitForToken(ns, { known: tokenRecord(lease), timeoutMs });
      alarm.cancel();
      expect(
        current,
        'a waiter that knows a token when none is stored must resolve with null at once',
      ).toBeNull();
      expect(alarm.fired, 'the waiter waited for its timeout').toBe(false);
    });

    it(
      'waitForToken resolves at its timeout with the unchanged current record',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const { record } = await seeded(store, ns);

        const started = Date.now();
        const current = await store.waitForToken(ns, { known: record, timeoutMs: SHORT_TIMEOUT_MS });
        expect(current, 'at its timeout a waiter must resolve with the current, unchanged record').toEqual(
          record,
        );
        expect(Date.now() - started, 'resolved before its timeout').toBeGreaterThanOrEqual(
          SHORT_TIMEOUT_MS - TIMER_SLACK_MS,
        );

        const empty = randomNamespace();
        expect(
          await store.waitForToken(empty, { known: null, timeoutMs: SHORT_TIMEOUT_MS }),
          'at its timeout a waiter on an empty namespace must resolve with null',
        ).toBeNull();
      },
      SHORT_TIMEOUT_MS * 2,
    );

    it(
      'a write to another namespace does not end the wait',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const other = randomNamespace();
        const lease = await mustAcquire(store, other);
        const write = h.later(WRITE_DELAY_MS, () => store.writeToken(other, lease, tokenRecord(lease)));

        const started = Date.now();
        const current = await store.waitForToken(ns, { known: null, timeoutMs: SHORT_TIMEOUT_MS });
        expect(await write, 'writeToken under the current lease must succeed').toBe(true);
        expect(current, 'a write to another namespace must not wake this waiter').toBeNull();
        expect(Date.now() - started, 'resolved before its timeout').toBeGreaterThanOrEqual(
          SHORT_TIMEOUT_MS - TIMER_SLACK_MS,
        );
      },
      SHORT_TIMEOUT_MS,
    );

    it(
      'waitForToken wakes with null when the known token is discarded',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const { record } = await seeded(store, ns);
        const timeoutMs = settings.pollWakeTimeoutMs;

        const alarm = alarmBefore(timeoutMs);
        const discard = h.later(WRITE_DELAY_MS, async () => (await h.peer()).discardToken(ns, record.value));
        const current = await store.waitForToken(ns, { known: record, timeoutMs });
        alarm.cancel();

        expect(await discard, 'discardToken with the current value must succeed').toBe(true);
        expect(current, 'a waiter must wake with null when its known token is discarded').toBeNull();
        expect(alarm.fired, 'the waiter only woke at its timeout').toBe(false);
      },
      settings.pollWakeTimeoutMs,
    );

    it('waitForToken rejects with ConnexeaseAuthError ABORTED when its signal aborts', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const controller = new AbortController();
      const timeoutMs = 10_000;

      const alarm = alarmBefore(timeoutMs);
      const abort = h.later(WRITE_DELAY_MS, async () => controller.abort());
      const outcome = store.waitForToken(ns, { known: null, timeoutMs, signal: controller.signal });

      await expect(
        outcome,
        'an abort during the wait must reject with a ConnexeaseAuthError of code ABORTED',
      ).rejects.toMatchObject({ name: 'ConnexeaseAuthError', code: 'ABORTED' });
      await abort;
      alarm.cancel();
      expect(alarm.fired, 'the abort only took effect at the timeout').toBe(false);
    }, 10_000);

    it('waitForToken rejects with ABORTED at once when its signal is already aborted', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const { record } = await seeded(store, ns);

      await expect(
        store.waitForToken(ns, { known: record, timeoutMs: 10_000, signal: AbortSignal.abort() }),
        'an already aborted signal must reject at once with a ConnexeaseAuthError of code ABORTED',
      ).rejects.toMatchObject({ name: 'ConnexeaseAuthError', code: 'ABORTED' });
    });
  });
}
