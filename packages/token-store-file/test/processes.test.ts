import type { Lease, QuotaDecision, QuotaUsage } from '@connexease-kit/auth-core/store';
import { tempDirectory } from '@connexease-kit/test-servers';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { type StoreWorker, startStoreWorker } from './support/store-worker.ts';

// Real processes share one directory: the lock file and atomic renames are what keeps them consistent.
const WORKERS = 8;
const DAY_MS = 24 * 60 * 60 * 1000;
let workers: StoreWorker[] = [];

beforeAll(async () => {
  workers = await Promise.all(Array.from({ length: WORKERS }, () => startStoreWorker()));
}, 60_000);

afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
});

/** Whether `promise` has settled by the time every worker has answered one more (cheap) command. */
async function settledAfterRoundTrip(promise: Promise<unknown>, directory: string): Promise<boolean> {
  let settled = false;
  void promise.then(
    () => {
      settled = true;
    },
    () => {
      settled = true;
    },
  );
  await Promise.all(workers.map((worker) => worker.call({ directory }, 'readLease', 'unrelated')));
  return settled;
}

describe('file token store across real processes', () => {
  it('8 processes reserving concurrently against a limit of 5: exactly 5 granted', async () => {
    const directory = tempDirectory('file-reserve', onTestFinished);
    const ns = 'race';
    // One lease holder; its lease travels to every process, so all of them race on one quota file.
    const lease = await workers[0]!.call<Lease>({ directory }, 'acquireLease', ns, { ttlMs: 60_000 });
    const decisions = await Promise.all(
      workers.flatMap((worker, w) =>
        Array.from({ length: 3 }, (_, i) =>
          worker.call<QuotaDecision>({ directory }, 'reserveIssue', ns, {
            id: `worker-${w}-attempt-${i}`,
            limit: 5,
            windowMs: DAY_MS,
            lease,
          }),
        ),
      ),
    );

    expect(decisions.filter((decision) => decision.granted)).toHaveLength(5);
    for (const denied of decisions.filter((decision) => !decision.granted)) {
      expect(denied).toMatchObject({ used: 5, limit: 5 });
    }
    const usage = await workers[0]!.call<QuotaUsage>({ directory }, 'quotaUsage', ns, { windowMs: DAY_MS });
    expect(usage.used).toBe(5);
  }, 60_000);

  it('a process SIGKILLed while holding the lock does not block the others', async () => {
    const directory = tempDirectory('file-sigkill', onTestFinished);
    const ns = 'crash';
    // A long lockStaleMs: while the holder lives, nothing may break its lock, however slow the machine.
    const options = { directory, lockStaleMs: 30_000, lockTimeoutMs: 60_000 };
    const lease = await workers[0]!.call<Lease>(options, 'acquireLease', ns, { ttlMs: 60_000 });
    const holder = await startStoreWorker();
    try {
      await holder.call(options, 'holdLock', ns);
      const waiting = workers.slice(0, 3).map((worker, i) =>
        worker.call<QuotaDecision>(options, 'reserveIssue', ns, {
          id: `after-crash-${i}`,
          limit: 5,
          windowMs: DAY_MS,
          lease,
        }),
      );
      expect(
        await settledAfterRoundTrip(Promise.any(waiting), directory),
        'blocked while the holder lives',
      ).toBe(false);

      holder.signal('SIGKILL');
      await holder.exited;
      const decisions = await Promise.all(waiting);

      expect(decisions.map((decision) => decision.granted)).toEqual([true, true, true]);
      const broken = workers
        .slice(0, 3)
        .flatMap((worker) => worker.events)
        .filter((event) => event.type === 'warning' && event.message.includes(`no longer exists`));
      expect(broken.length, 'a worker reported breaking the dead holder’s lock').toBeGreaterThanOrEqual(1);
    } finally {
      holder.signal('SIGKILL');
    }
  }, 60_000);

  it('a holder that stops responding (SIGSTOP) loses its lock after lockStaleMs, and the others continue', async () => {
    const directory = tempDirectory('file-sigstop', onTestFinished);
    const ns = 'frozen';
    const options = { directory, lockStaleMs: 1000, lockTimeoutMs: 60_000 };
    const lease = await workers[0]!.call<Lease>(options, 'acquireLease', ns, { ttlMs: 60_000 });
    const holder = await startStoreWorker();
    try {
      await holder.call(options, 'holdLock', ns);
      holder.signal('SIGSTOP'); // alive (its pid exists), so only the lock's age can condemn it

      const [first, second] = await Promise.all([
        workers[3]!.call<QuotaDecision>(options, 'reserveIssue', ns, {
          id: 'a',
          limit: 1,
          windowMs: DAY_MS,
          lease,
        }),
        workers[4]!.call<QuotaDecision>(options, 'reserveIssue', ns, {
          id: 'b',
          limit: 1,
          windowMs: DAY_MS,
          lease,
        }),
      ]);

      expect([first.granted, second.granted].sort()).toEqual([false, true]);
      const warnings = [...workers[3]!.events, ...workers[4]!.events].filter(
        (event) => event.type === 'warning' && event.message.includes(' old (lockStaleMs 1000)'),
      );
      expect(warnings.length, 'the lock was broken for its age').toBeGreaterThanOrEqual(1);
    } finally {
      holder.signal('SIGKILL');
    }
  }, 60_000);
});
