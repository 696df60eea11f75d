import type { ConnexeaseAuthError, TokenProvider } from '@connexease-kit/auth-core';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import {
  createFleet,
  DAY,
  drive,
  type Fleet,
  HOUR,
  START,
  useVirtualTime,
} from './support/provider-harness.ts';

const STEP = 5 * 60_000;
/** Reservations count over the quota window plus `issueTimeoutMs` (default 30 s): see reservationWindowMs. */
const RESERVATION_WINDOW = DAY + 30_000;
let fleet: Fleet;

beforeEach(() => {
  useVirtualTime();
});

afterEach(async () => {
  await fleet?.closeAll();
  vi.useRealTimers();
});

/** Every replica asks for a header every `STEP` for `durationMs`; returns the failures seen. */
async function simulate(
  replicas: TokenProvider[],
  durationMs: number,
): Promise<{ at: number; error: ConnexeaseAuthError }[]> {
  const failures: { at: number; error: ConnexeaseAuthError }[] = [];
  for (let t = 0; t < durationMs; t += STEP) {
    for (const replica of replicas) {
      const outcome = await drive(replica.getAuthorization(), { stepMs: 1000 });
      if (!outcome.ok) failures.push({ at: Date.now(), error: outcome.error as ConnexeaseAuthError });
    }
    await vi.advanceTimersByTimeAsync(STEP);
  }
  return failures;
}

test('a week of 24 h tokens: about one issue a day per namespace, never a burst', async () => {
  fleet = createFleet();
  const alice = [fleet.replica(), fleet.replica(), fleet.replica()];
  const bob = [0, 1].map(() =>
    fleet.replica({ credentials: { username: 'bob', password: 'bobs-password' } }),
  );
  const failures = await simulate([...alice, ...bob], 7 * DAY);
  expect(failures).toEqual([]);
  for (const username of ['john.doe', 'bob']) {
    const times = fleet.fake.calls.filter((call) => call.username === username).map((call) => call.at);
    // Refresh 30 min ahead of a 24 h expiry: an issue every 23.5 h, so 8 in 168 h (7 if a day slipped).
    expect(times.length).toBeGreaterThanOrEqual(7);
    expect(times.length).toBeLessThanOrEqual(8);
    for (let i = 1; i < times.length; i += 1) expect(times[i]! - times[i - 1]!).toBeGreaterThan(12 * HOUR);
  }
});

test('4 h tokens with a quota of 5 per 24 h: never exceeded, then QUOTA_EXHAUSTED without an issue', async () => {
  fleet = createFleet({ issuer: { lifetimeMs: 4 * HOUR }, provider: { quota: { limit: 5, windowMs: DAY } } });
  const replicas = [fleet.replica(), fleet.replica()];
  const failures = await simulate(replicas, 3 * DAY);
  const issues = fleet.fake.calls.map((call) => call.at);

  // No 24 h window ever holds more than 5 issues.
  for (const [index, at] of issues.entries()) {
    const inWindow = issues.slice(index).filter((time) => time < at + DAY);
    expect(inWindow.length).toBeLessThanOrEqual(5);
  }
  // The budget did run out: about 6-7 tokens a day were needed.
  expect(failures.length).toBeGreaterThan(0);
  for (const { at, error } of failures) {
    expect(error.code).toBe('QUOTA_EXHAUSTED');
    // Durations read as people read them: the window in hours, the wait to the next slot in h and m.
    expect(error.message).toMatch(/\(\d of 5 in 24h\); nothing was sent\. The next issue is possible in \d/);
    expect(error.message, 'no raw milliseconds such as "in 86430000 ms"').not.toMatch(/\d{4,} ?ms\b/);
    // retryAt is when the oldest reservation in the (widened) window ages out.
    const oldest = issues.find((time) => time > at - RESERVATION_WINDOW);
    expect(error.retryAt).toBe(oldest! + RESERVATION_WINDOW);
    // Nothing was sent while the quota was spent.
    expect(issues.some((time) => time >= at && time < error.retryAt!)).toBe(false);
  }
  // After each exhaustion, service resumes once the window frees a slot.
  expect(issues.some((time) => time >= START + DAY)).toBe(true);
  expect(issues.some((time) => time >= START + 2 * DAY)).toBe(true);
});

test('the API never sees more than the limit in its own window, even when it handled an issue late', async () => {
  // The API counts an issue when it processes POST /jwt/: here the first one reaches it 20 s late.
  fleet = createFleet({ issuer: { lifetimeMs: 4 * HOUR }, provider: { quota: { limit: 5, windowMs: DAY } } });
  const processedAt: number[] = [];
  const replica = fleet.replica({
    issueTimeoutMs: 30_000,
    issuer: async (request) => {
      if (processedAt.length === 0) await new Promise((resolve) => setTimeout(resolve, 20_000));
      processedAt.push(Date.now());
      return fleet.fake.issuer(request);
    },
  });
  // Ask whenever the token has expired, and the moment the quota says a slot is free.
  while (Date.now() < START + 3 * DAY) {
    const outcome = await drive(replica.getAuthorization(), { stepMs: 1000 });
    const retryAt = outcome.ok ? undefined : (outcome.error as ConnexeaseAuthError).retryAt;
    await vi.advanceTimersByTimeAsync(retryAt === undefined ? 4 * HOUR : Math.max(1, retryAt - Date.now()));
  }
  expect(processedAt.length).toBeGreaterThan(5);
  for (const [index, at] of processedAt.entries()) {
    const inApiWindow = processedAt.slice(index).filter((time) => time < at + DAY);
    expect(inApiWindow.length).toBeLessThanOrEqual(5);
  }
});
