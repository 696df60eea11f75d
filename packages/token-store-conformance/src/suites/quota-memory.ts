import { isConnexeaseAuthError, type TokenStore } from '@connexease-kit/auth-core';
import type { Lease, QuotaEntry, QuotaRecordState } from '@connexease-kit/auth-core/store';
import { describe, expect } from 'vitest';
import { mustAcquire } from '../fixtures.ts';
import type { SuiteContext } from '../harness.ts';
import { randomNamespace } from '../random-namespace.ts';
import { eventually } from '../timing.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

/** Reserves `ids` in order under `lease`, each expected to be granted; returns the last answer. */
async function reserveAll(store: TokenStore, ns: string, lease: Lease, ids: string[], limit = 10) {
  let last: QuotaRecordState | undefined;
  for (const id of ids) {
    const decision = await store.reserveIssue(ns, { id, limit, windowMs: DAY_MS, lease });
    expect(decision.granted, `reservation ${id}`).toBe(true);
    last = decision;
  }
  return last!;
}

function ids(entries: readonly QuotaEntry[]): string[] {
  return entries.map((entry) => entry.id);
}

/**
 * Guarantee 11 at the store: only the current lease holder reserves. Guarantee 10: every answer
 * carries the window's entries and the record's epoch, remembered entries are re-added by id, and a
 * store that lost its records never invents a free past.
 */
export function describeQuotaMemory<S extends TokenStore>({ it, settings }: SuiteContext<S>): void {
  describe('quota: only the lease holder reserves', () => {
    it('a released lease is refused with denied: lease, and nothing is counted', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      await store.releaseLease(ns, lease);

      const decision = await store.reserveIssue(ns, { id: 'a', limit: 5, windowMs: DAY_MS, lease });

      expect(decision, "a released lease must be refused with denied: 'lease'").toMatchObject({
        granted: false,
        denied: 'lease',
        used: 0,
        limit: 5,
      });
      expect(
        (await store.quotaUsage(ns, { windowMs: DAY_MS })).used,
        'a refusal for the lease must count nothing',
      ).toBe(0);
    });

    it('a lease with the right id but another fence is refused', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const forged = { ...lease, fence: lease.fence + 1 };

      const decision = await store.reserveIssue(ns, { id: 'a', limit: 5, windowMs: DAY_MS, lease: forged });

      expect(
        decision,
        "a lease whose fence is not the current one must be refused with denied: 'lease'",
      ).toMatchObject({ granted: false, denied: 'lease' });
      expect(
        (await store.quotaUsage(ns, { windowMs: DAY_MS })).used,
        'a refusal for the lease must count nothing',
      ).toBe(0);
    });

    it(
      'a leader whose lease lapsed cannot reserve once another holds the lease; the new holder can',
      async (h) => {
        const store = await h.store();
        const ns = randomNamespace();
        const stale = await mustAcquire(store, ns, 300);
        const peer = await h.peer();
        const current = await eventually(
          () => peer.acquireLease(ns, { ttlMs: 60_000 }),
          (lease) => lease !== null,
          { timeoutMs: 300 + settings.expiryGraceMs, description: 'the first lease lapsed' },
        );

        const refused = await store.reserveIssue(ns, { id: 'a', limit: 5, windowMs: DAY_MS, lease: stale });
        const granted = await peer.reserveIssue(ns, { id: 'b', limit: 5, windowMs: DAY_MS, lease: current! });

        expect(
          refused,
          "a lapsed leader must be refused with denied: 'lease' once another holds the lease",
        ).toMatchObject({ granted: false, denied: 'lease' });
        expect(granted, 'the current holder must be granted').toMatchObject({ granted: true, used: 1 });
        expect(
          ids((await store.quotaUsage(ns, { windowMs: DAY_MS })).entries),
          "only the current holder's reservation may be counted",
        ).toEqual(['b']);
      },
      300 + settings.expiryGraceMs,
    );

    it('a reservation without a lease is CONFIG_INVALID', async (h) => {
      const store = await h.store();
      const request = { id: 'a', limit: 5, windowMs: DAY_MS } as unknown as Parameters<
        TokenStore['reserveIssue']
      >[1];
      const failure = await store.reserveIssue(randomNamespace(), request).then(
        () => null,
        (error: unknown) => error,
      );
      expect(isConnexeaseAuthError(failure, 'CONFIG_INVALID'), String(failure)).toBe(true);
    });
  });

  describe('quota: answers carry the record', () => {
    it('an unused namespace has no epoch, no entries and nothing lost', async (h) => {
      const store = await h.store();
      const usage = await store.quotaUsage(randomNamespace(), { windowMs: DAY_MS });
      expect(
        usage,
        'an unused namespace must answer no entries, epoch: null and lostThrough: null',
      ).toMatchObject({ used: 0, entries: [], epoch: null, lostThrough: null });
    });

    it('every answer lists the window entries oldest first with their times, and one stable epoch', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const first = await store.reserveIssue(ns, { id: 'a', limit: 2, windowMs: DAY_MS, lease });
      const second = await store.reserveIssue(ns, { id: 'b', limit: 2, windowMs: DAY_MS, lease });
      const denied = await store.reserveIssue(ns, { id: 'c', limit: 2, windowMs: DAY_MS, lease });
      const usage = await store.quotaUsage(ns, { windowMs: DAY_MS });

      expect(ids(first.entries), 'a grant must list the window entries, itself included').toEqual(['a']);
      expect(ids(second.entries), 'entries must be listed oldest first').toEqual(['a', 'b']);
      expect(ids(denied.entries), 'a denial must list the window entries too, without itself').toEqual([
        'a',
        'b',
      ]);
      expect(usage.entries, 'quotaUsage must list the same entries with the same times').toEqual(
        second.entries,
      );
      expect(
        usage.entries.map((entry) => entry.at),
        "reservedAt must be the entries' times",
      ).toEqual(usage.reservedAt);
      expect(typeof first.epoch, 'the first entry must create an epoch string').toBe('string');
      expect(first.epoch!.length, 'the epoch must be non-empty').toBeGreaterThan(0);
      for (const answer of [second, denied, usage])
        expect(answer.epoch, 'the epoch must stay the same while the record lives').toBe(first.epoch);
      for (const answer of [first, second, denied, usage])
        expect(answer.lostThrough, 'an intact record must report lostThrough: null').toBeNull();
    });

    it('epochs differ between namespaces', async (h) => {
      const store = await h.store();
      const [one, two] = [randomNamespace(), randomNamespace()];
      const a = await reserveAll(store, one, await mustAcquire(store, one), ['a']);
      const b = await reserveAll(store, two, await mustAcquire(store, two), ['a']);
      expect(a.epoch, 'epochs must differ between namespaces').not.toBe(b.epoch);
    });
  });

  describe('quota: remembered entries are re-added by id', () => {
    it('restoring the same entries twice counts them once, at their own times', async (h) => {
      const store = await h.store();
      const source = randomNamespace();
      const remembered = (await reserveAll(store, source, await mustAcquire(store, source), ['a', 'b']))
        .entries;
      const ns = randomNamespace();

      const once = await store.restoreQuota(ns, { windowMs: DAY_MS, known: remembered });
      const twice = await store.restoreQuota(ns, { windowMs: DAY_MS, known: remembered });

      expect(once.used, 'restoreQuota must re-add every remembered entry').toBe(2);
      expect(twice.entries, 're-added entries must keep their ids and own times, and count once').toEqual(
        remembered,
      );
      expect(typeof twice.epoch, 'restoring into an empty record must create an epoch').toBe('string');
      expect(twice.epoch, 'a second restore must keep the epoch').toBe(once.epoch);
      expect(
        (await store.quotaUsage(ns, { windowMs: DAY_MS })).used,
        'entries restored twice must count once',
      ).toBe(2);
    });

    it('known entries sent with reserveIssue are re-added once and count against the limit', async (h) => {
      const store = await h.store();
      const source = randomNamespace();
      const known = (await reserveAll(store, source, await mustAcquire(store, source), ['a', 'b'])).entries;
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);

      const granted = await store.reserveIssue(ns, { id: 'c', limit: 3, windowMs: DAY_MS, lease, known });
      const denied = await store.reserveIssue(ns, { id: 'd', limit: 3, windowMs: DAY_MS, lease, known });

      expect(granted, 'known entries must be re-added and counted before the grant').toMatchObject({
        granted: true,
        used: 3,
      });
      expect(
        ids(granted.entries),
        're-added entries must sit at their own times, before the new one',
      ).toEqual(['a', 'b', 'c']);
      expect(denied, 're-added entries must count against the limit, once').toMatchObject({
        granted: false,
        denied: 'quota',
        used: 3,
      });
    });

    it('a refused reservation re-adds nothing', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      await store.releaseLease(ns, lease);
      const known = [{ id: 'remembered', at: (await store.quotaUsage(ns, { windowMs: DAY_MS })).now }];

      await store.reserveIssue(ns, { id: 'a', limit: 5, windowMs: DAY_MS, lease, known });

      expect(
        (await store.quotaUsage(ns, { windowMs: DAY_MS })).used,
        'a reservation refused for the lease must not re-add its known entries',
      ).toBe(0);
    });

    it('entries already out of the window are not re-added; future times are re-added no later than now', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const { now } = await store.quotaUsage(ns, { windowMs: DAY_MS });
      const usage = await store.restoreQuota(ns, {
        windowMs: DAY_MS,
        known: [
          { id: 'aged-out', at: now - DAY_MS - 60_000 },
          { id: 'future', at: now + DAY_MS },
        ],
      });

      expect(ids(usage.entries), 'entries already out of the window must not be re-added').toEqual([
        'future',
      ]);
      expect(
        usage.entries[0]!.at,
        "a future time must be re-added no later than the store's now",
      ).toBeLessThanOrEqual(usage.now);
    });
  });

  const loseRecords = settings.loseRecords;
  if (loseRecords === undefined) return;

  describe('quota: a store that lost its records', () => {
    it('lost everything: no epoch and no entries (it cannot know); a replica that remembers restores them', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const before = await reserveAll(store, ns, await mustAcquire(store, ns), ['a', 'b'], 3);

      await loseRecords(ns, store, 'everything');
      const empty = await store.quotaUsage(ns, { windowMs: DAY_MS });
      expect(
        empty,
        'a store that lost everything must answer no entries and epoch: null (never an invented past)',
      ).toMatchObject({ used: 0, entries: [], epoch: null, lostThrough: null });
      expect(await store.readLease(ns), 'the lease was lost too').toBeNull();

      const lease = await mustAcquire(store, ns);
      const known = before.entries;
      const granted = await store.reserveIssue(ns, { id: 'c', limit: 3, windowMs: DAY_MS, lease, known });
      const denied = await store.reserveIssue(ns, { id: 'd', limit: 3, windowMs: DAY_MS, lease, known });

      expect(granted, 'remembered entries must be re-added and counted before the grant').toMatchObject({
        granted: true,
        used: 3,
      });
      expect(ids(granted.entries), 'the remembered entries must come back before the new one').toEqual([
        'a',
        'b',
        'c',
      ]);
      expect(granted.entries.slice(0, 2), 'remembered entries must come back at their own times').toEqual(
        before.entries,
      );
      expect(granted.epoch, 'a new life of the record has a new epoch').not.toBe(before.epoch);
      expect(typeof granted.epoch, 'the restored record must have an epoch').toBe('string');
      expect(denied, 'restored entries must count against the limit').toMatchObject({
        granted: false,
        denied: 'quota',
      });
    });

    it('lost everything, restored without a lease: the entries count for every later reservation', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const before = await reserveAll(store, ns, await mustAcquire(store, ns), ['a', 'b'], 2);
      await loseRecords(ns, store, 'everything');

      const restored = await (await h.peer()).restoreQuota(ns, { windowMs: DAY_MS, known: before.entries });
      const lease = await mustAcquire(store, ns);
      const denied = await store.reserveIssue(ns, { id: 'c', limit: 2, windowMs: DAY_MS, lease });

      expect(
        restored.entries,
        'restoreQuota (no lease needed) must re-add the remembered entries at their own times',
      ).toEqual(before.entries);
      expect(restored.epoch, 'a record rebuilt after a loss must have a new epoch').not.toBe(before.epoch);
      expect(denied, 'restored entries must count for every later reservation').toMatchObject({
        granted: false,
        denied: 'quota',
        used: 2,
      });
    });

    it('lost only the quota entries: the past counts as spent until the newest lost entry ages out', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const before = await reserveAll(store, ns, lease, ['a', 'b']);
      const newest = before.entries[1]!;

      await loseRecords(ns, store, 'quota');
      const usage = await store.quotaUsage(ns, { windowMs: DAY_MS });
      const denied = await store.reserveIssue(ns, { id: 'c', limit: 10, windowMs: DAY_MS, lease });

      expect(
        usage,
        "a store whose entries were lost but whose marker stayed must report lostThrough = the newest entry's time",
      ).toMatchObject({ used: 0, lostThrough: newest.at, epoch: before.epoch });
      expect(
        denied,
        "while the loss lasts reserveIssue must deny with denied: 'lost' and retryAt = lostThrough + windowMs",
      ).toMatchObject({ granted: false, denied: 'lost', retryAt: newest.at + DAY_MS });
      expect((await store.quotaUsage(ns, { windowMs: DAY_MS })).used, 'a denial counts nothing').toBe(0);
    });

    it('lost only the quota entries: re-adding the newest entry ends the loss, re-adding older ones does not', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      const before = await reserveAll(store, ns, lease, ['a', 'b']);
      await loseRecords(ns, store, 'quota');

      const partial = await store.restoreQuota(ns, { windowMs: DAY_MS, known: before.entries.slice(0, 1) });
      expect(partial, 're-adding an older entry must not end the loss').toMatchObject({
        used: 1,
        lostThrough: before.entries[1]!.at,
      });

      const known = before.entries;
      const granted = await store.reserveIssue(ns, { id: 'c', limit: 10, windowMs: DAY_MS, lease, known });
      expect(granted, 're-adding the newest entry must end the loss and keep the epoch').toMatchObject({
        granted: true,
        used: 3,
        lostThrough: null,
        epoch: before.epoch,
      });
    });

    it('lost only the quota entries: clearQuotaLoss (an operator) frees the unknown past, once', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      const lease = await mustAcquire(store, ns);
      await reserveAll(store, ns, lease, ['a', 'b']);
      await loseRecords(ns, store, 'quota');

      expect(await store.clearQuotaLoss(ns), 'clearQuotaLoss must end a loss and answer true').toBe(true);
      expect(await store.clearQuotaLoss(ns), 'nothing left to clear').toBe(false);
      expect(
        (await store.quotaUsage(ns, { windowMs: DAY_MS })).lostThrough,
        'after clearQuotaLoss lostThrough must be null',
      ).toBeNull();
      expect(
        await store.reserveIssue(ns, { id: 'c', limit: 10, windowMs: DAY_MS, lease }),
        'after clearQuotaLoss the holder must be granted again',
      ).toMatchObject({
        granted: true,
        used: 1,
      });
    });

    it('clearQuotaLoss on a namespace that lost nothing answers false and keeps every entry', async (h) => {
      const store = await h.store();
      const ns = randomNamespace();
      await reserveAll(store, ns, await mustAcquire(store, ns), ['a']);
      expect(await store.clearQuotaLoss(ns), 'clearQuotaLoss with no loss must answer false').toBe(false);
      expect(
        (await store.quotaUsage(ns, { windowMs: DAY_MS })).used,
        'clearQuotaLoss must never drop entries',
      ).toBe(1);
    });
  });
}
