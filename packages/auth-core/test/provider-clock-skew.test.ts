/**
 * Replicas whose clocks are off by ±10 minutes, sharing one store whose clock is the true time (the
 * virtual `Date.now()`, as Redis `TIME` would be). Token records are written on the store's clock, so
 * what one replica stamps, another reads correctly on its own clock.
 */
import {
  type Clock,
  ConnexeaseAuthError,
  type JwtIssuer,
  type TokenProvider,
  type TokenProviderOptions,
} from '@connexease-kit/auth-core';
import { systemClock } from '@connexease-kit/auth-core/store';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  advance,
  createFleet,
  DAY,
  eventsOf,
  type Fleet,
  settle,
  settleError,
  useVirtualTime,
} from './support/provider-harness.ts';

const MINUTE = 60_000;

let fleet: Fleet;

beforeEach(() => {
  useVirtualTime();
});

afterEach(async () => {
  await fleet?.closeAll();
  vi.useRealTimers();
});

/** A clock `offsetMs` off the true time (the store's). */
function offsetClock(offsetMs: number): Clock {
  return { now: () => Date.now() + offsetMs, sleep: systemClock.sleep };
}

/**
 * A replica whose clock is `offsetMs` off. Its issuer stamps `receivedAt` on that clock and reports the
 * server's `Date` on the true one, as the ky issuer does against a real API.
 */
function skewedReplica(offsetMs: number, overrides: Partial<TokenProviderOptions> = {}): TokenProvider {
  const clock = offsetClock(offsetMs);
  const issuer: JwtIssuer = async (request) => {
    const issued = await fleet.fake.issuer(request);
    return { ...issued, receivedAt: clock.now(), serverDate: Date.now() };
  };
  return fleet.replica({ clock, issuer, ...overrides });
}

/** The issuer issues; the refresher adopts its token; the API revokes it 2 s later. */
async function revokedAfterAdoption(issuerOffsetMs: number, refresherOffsetMs: number) {
  const issuer = skewedReplica(issuerOffsetMs);
  const first = await settle(issuer.getAuthorization());
  const refresher = skewedReplica(refresherOffsetMs);
  expect(await settle(refresher.getAuthorization())).toBe(first);
  expect(fleet.fake.calls).toHaveLength(1);
  await advance(2000, 100);
  return { issuer, refresher, first };
}

describe('a token revoked after a replica with another clock issued it', () => {
  test.each([
    ['20 minutes behind', 10 * MINUTE, -10 * MINUTE],
    ['20 minutes ahead of', -10 * MINUTE, 10 * MINUTE],
    ['10 minutes behind', 0, -10 * MINUTE],
    ['10 minutes ahead of', 0, 10 * MINUTE],
  ])(
    'a replica %s the issuer refreshes it with exactly one issue',
    async (_, issuerOffset, refresherOffset) => {
      fleet = createFleet();
      const { refresher, first } = await revokedAfterAdoption(issuerOffset, refresherOffset);

      const retried = await settle(refresher.handleUnauthorized(first));

      expect(retried).not.toBe(first);
      expect(fleet.fake.calls).toHaveLength(2);
      expect(eventsOf(fleet.events, 'issued')).toHaveLength(2);
      expect(eventsOf(fleet.events, 'issue-failed')).toEqual([]);
      expect(await refresher.getAuthorization()).toBe(retried);
    },
  );

  test('a replica ahead of the issuer keeps its full retries: the issuer’s success counts as answered', async () => {
    fleet = createFleet();
    const { refresher, first } = await revokedAfterAdoption(-10 * MINUTE, 10 * MINUTE);
    fleet.fake.script(502, 'ok');

    const retried = await settle(refresher.handleUnauthorized(first));

    expect(retried).not.toBe(first);
    // Had the first issue looked unanswered, the fleet backoff would have failed this fast, sending nothing.
    expect(fleet.fake.calls.map((call) => call.answer)).toEqual(['ok', 502, 'ok']);
  });

  test.each([
    ['behind', 10 * MINUTE, -10 * MINUTE],
    ['ahead', -10 * MINUTE, 10 * MINUTE],
  ])(
    'the 401 spacing is measured on one clock: a replica %s the one that refreshed sees it (ENDPOINT_REFUSED, nothing issued)',
    async (_, issuerOffset, refresherOffset) => {
      fleet = createFleet();
      const { issuer, refresher, first } = await revokedAfterAdoption(issuerOffset, refresherOffset);
      const replacement = await settle(refresher.handleUnauthorized(first));
      expect(fleet.fake.calls).toHaveLength(2);
      await advance(2000, 100);
      // The other replica's next call with the revoked token is answered with the replacement.
      expect(await settle(issuer.handleUnauthorized(first))).toBe(replacement);

      // The API rejects the replacement too, on the replica 20 minutes away: 4 s after the refresh on the
      // store's clock, well inside the 60 s spacing, whatever the two local clocks say.
      const error = await settleError(issuer.handleUnauthorized(replacement));

      expect(error).toMatchObject({ code: 'ENDPOINT_REFUSED', status: 401 });
      expect(error.message).toMatch(/refreshed for a 401 [2-5] s ago/);
      expect(fleet.fake.calls).toHaveLength(2);
    },
  );
});

describe('fleet decisions with skewed clocks', () => {
  test('three replicas at -10, 0 and +10 minutes: one lease grant, one issue, one reservation, each expiry on its own clock', async () => {
    fleet = createFleet();
    const offsets = [-10 * MINUTE, 0, 10 * MINUTE];
    const replicas = offsets.map((offset) => skewedReplica(offset));

    const headers = await settle(Promise.all(replicas.map((replica) => replica.getAuthorization())));

    expect(new Set(headers).size).toBe(1);
    expect(fleet.fake.calls).toHaveLength(1);
    expect(fleet.control.counts.acquireLease).toBe(1);
    expect(fleet.control.counts.reserveIssue).toBe(1);
    const issuedAt = Date.now();
    for (const [index, replica] of replicas.entries()) {
      const status = await settle(replica.status());
      expect(status.quota).toMatchObject({ used: 1, limit: 25, remaining: 24 });
      // The token lives 24 h from its issue; each replica sees that on its own clock (to the second).
      const localExpiry = issuedAt + offsets[index]! + DAY;
      expect(Math.abs(status.token!.expiresAt - localExpiry)).toBeLessThanOrEqual(1000);
    }
  });

  test('an outage is still a fleet-wide pause: after 3 failed attempts on one clock, a replica on another sends nothing', async () => {
    fleet = createFleet();
    const { issuer, refresher, first } = await revokedAfterAdoption(10 * MINUTE, -10 * MINUTE);
    fleet.fake.fallback = 502;

    const failed = await settleError(refresher.handleUnauthorized(first));
    expect(failed.code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    expect(fleet.fake.calls).toHaveLength(4);
    const lastAttempt = Date.now();

    // The issuer (20 minutes ahead of the refresher) learns of the revocation on its next 401.
    const paused = await settleError(issuer.handleUnauthorized(first));
    expect(paused).toBeInstanceOf(ConnexeaseAuthError);
    expect(paused.code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    expect(fleet.fake.calls).toHaveLength(4);
    // retryAt is on the issuer's clock: 3 unanswered attempts pause the fleet for 4 lease TTLs (2 min).
    expect(paused.retryAt! - (lastAttempt + 10 * MINUTE)).toBeGreaterThan(0);
    expect(paused.retryAt! - (lastAttempt + 10 * MINUTE)).toBeLessThanOrEqual(2 * MINUTE);
  });
});
