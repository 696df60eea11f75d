import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  advance,
  createFleet,
  DAY,
  drive,
  eventsOf,
  type Fleet,
  flush,
  settle,
  settleError,
  useVirtualTime,
} from './support/provider-harness.ts';

// Guarantee 10 (the fleet remembers what the store forgets) and 11 (only the lease holder sends),
// at the provider, on virtual time over the memory store.

let fleet: Fleet | undefined;

beforeEach(() => {
  useVirtualTime();
});

afterEach(async () => {
  await fleet?.closeAll();
  fleet = undefined;
  vi.useRealTimers();
});

const CHECK_MS = 10_000;
const WINDOW_MS = DAY + 30_000;

describe('the store forgets (guarantee 10)', () => {
  test('a store emptied under a live replica: its check restores the quota and the token, and a replica started afterwards adopts it', async () => {
    fleet = createFleet({ provider: { storeCheckIntervalMs: CHECK_MS } });
    const first = fleet.replica();
    const header = await settle(first.getAuthorization());
    const ns = (await first.status()).namespace;
    const before = await fleet.memory.quotaUsage(ns, { windowMs: WINDOW_MS });

    fleet.memory.debugLoseRecords(ns, 'everything');
    await advance(2 * CHECK_MS, 1000);

    const [reset] = eventsOf(fleet.events, 'store-reset');
    expect(reset).toMatchObject({ ns, detectedBy: 'watch', epochChanged: true, tokenRestored: true });
    expect(reset!.missingEntries).toBe(1);
    const restored = await fleet.memory.quotaUsage(ns, { windowMs: WINDOW_MS });
    expect(restored.entries).toEqual(before.entries);
    expect(restored.epoch).not.toBe(before.epoch);

    const late = fleet.replica();
    expect(await settle(late.getAuthorization())).toBe(header);
    expect(fleet.fake.calls, 'nobody issued again').toHaveLength(1);
  });

  test('only the quota entries lost: the replica that made the newest reservation brings the window back', async () => {
    fleet = createFleet({ provider: { storeCheckIntervalMs: CHECK_MS } });
    const first = fleet.replica();
    await settle(first.getAuthorization());
    const ns = (await first.status()).namespace;

    fleet.memory.debugLoseRecords(ns, 'quota');
    expect((await fleet.memory.quotaUsage(ns, { windowMs: WINDOW_MS })).lostThrough).not.toBeNull();
    await advance(2 * CHECK_MS, 1000);

    expect(eventsOf(fleet.events, 'store-reset')[0]).toMatchObject({
      detectedBy: 'watch',
      epochChanged: false,
      missingEntries: 1,
      quotaLost: false,
    });
    const usage = await fleet.memory.quotaUsage(ns, { windowMs: WINDOW_MS });
    expect(usage).toMatchObject({ used: 1, lostThrough: null });
  });

  test('a lost past nobody remembers counts as spent: QUOTA_EXHAUSTED that names the override, and nothing is sent', async () => {
    fleet = createFleet({ provider: { storeCheckIntervalMs: CHECK_MS } });
    const first = fleet.replica();
    const header = await settle(first.getAuthorization());
    const ns = (await first.status()).namespace;
    await first.close();
    fleet.memory.debugLoseRecords(ns, 'quota');
    await fleet.memory.discardToken(ns, header.slice('JWT '.length));

    const stranger = fleet.replica();
    const error = await settleError(stranger.getAuthorization());

    expect(error.code).toBe('QUOTA_EXHAUSTED');
    expect(error.message).toContain('lost its record');
    expect(error.message).toContain('connexease-auth forget-loss');
    expect(error.retryAt).toBeGreaterThan(Date.now() + DAY - 60_000);
    expect(fleet.fake.calls).toHaveLength(1);

    // An operator who knows nothing else was sent frees the past; the next refresh issues.
    expect(await fleet.memory.clearQuotaLoss(ns)).toBe(true);
    const freed = fleet.replica();
    await settle(freed.getAuthorization());
    expect(fleet.fake.calls).toHaveLength(2);
  });

  test('a marker that expired after a long idle time is not a loss: no store-reset, the next refresh issues at once', async () => {
    fleet = createFleet();
    const only = fleet.replica();
    await settle(only.getAuthorization());
    // Three idle days: the token, every reservation and the quota marker (24 h in the memory store) expire.
    await advance(3 * DAY, 60 * 60_000);
    const calls = fleet.fake.calls.length;

    await settle(only.getAuthorization(), { maxMs: 60_000 });

    expect(fleet.fake.calls).toHaveLength(calls + 1);
    expect(eventsOf(fleet.events, 'store-reset')).toEqual([]);
  });
});

describe('a leader is cut off (guarantee 11)', () => {
  test('a leader whose lease lapsed during its backoff sends no more POST /jwt/ and adopts the new leader’s token', async () => {
    // Every attempt takes 3 s; after a 502 the leader backs off 4 s (8 s base, random 0.5).
    fleet = createFleet({
      issuer: { latencyMs: 3000 },
      provider: { leaseTtlMs: 1000, retry: { attempts: 3, baseDelayMs: 8000, maxDelayMs: 8000 } },
    });
    fleet.fake.script(502);
    const cutOff = fleet.replica();
    const pending = drive(cutOff.getAuthorization(), { stepMs: 100 });
    while (fleet.fake.calls.length === 0 || eventsOf(fleet.events, 'issue-failed').length === 0) {
      await flush();
      await vi.advanceTimersByTimeAsync(100);
    }
    // The cut-off leader cannot extend its lease: it lapses while it backs off.
    fleet.control.affected = new Set(['extendLease']);
    fleet.control.mode = 'failing';
    await advance(1500, 100);
    fleet.control.mode = 'normal';

    // Another replica takes the lease and is mid-request when the cut-off leader wakes up.
    const next = fleet.replica();
    const issued = drive(next.getAuthorization(), { stepMs: 100 });
    const [mine, theirs] = await Promise.all([pending, issued]);

    expect(fleet.fake.calls.map((call) => call.answer)).toEqual([502, 'ok']);
    expect(theirs).toMatchObject({ ok: true });
    expect(mine).toEqual(theirs);
  });

  test('a reservation with a lease that is no longer current is refused by the store: nothing is counted', async () => {
    fleet = createFleet();
    const lease = (await fleet.memory.acquireLease('ns', { ttlMs: 1000 }))!;
    await advance(1500, 500);
    const next = (await fleet.memory.acquireLease('ns', { ttlMs: 60_000 }))!;

    const refused = await fleet.memory.reserveIssue('ns', { id: 'a', limit: 5, windowMs: DAY, lease });
    expect(refused).toMatchObject({ granted: false, denied: 'lease', used: 0 });
    expect(
      await fleet.memory.reserveIssue('ns', { id: 'b', limit: 5, windowMs: DAY, lease: next }),
    ).toMatchObject({ granted: true, used: 1 });
  });
});
