import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  advance,
  controlledStore,
  createFakeIssuer,
  createFleet,
  DAY,
  drive,
  eventsOf,
  type Fleet,
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

describe('lease takeover', () => {
  test('a leader that dies mid-request is taken over after its lease lapses; at most 2 issuer calls', async () => {
    fleet = createFleet();
    // The doomed leader: its POST /jwt/ never answers, and once "killed" its store calls never return
    // (so it stops extending its lease), like a process that got SIGKILL.
    const doomedIssuer = createFakeIssuer({ fallback: 'hang' });
    const doomedStore = controlledStore(fleet.memory);
    const doomed = fleet.replica({ issuer: doomedIssuer.issuer, store: doomedStore.store });
    void doomed.getAuthorization().catch(() => {});
    await advance(100, 100);
    expect(doomedIssuer.calls).toHaveLength(1);
    doomedStore.mode = 'hanging';

    const survivor = fleet.replica();
    const waitedFrom = Date.now();
    const header = await settle(survivor.getAuthorization(), { stepMs: 500 });
    expect(header).toBe(`JWT ${fleet.fake.tokens[0]}`);
    expect(doomedIssuer.calls.length + fleet.fake.calls.length).toBe(2);
    // It waited for the lease to lapse (30 s TTL), not for the full waitTimeoutMs.
    const took = fleet.fake.calls[0]!.at - waitedFrom;
    expect(took).toBeGreaterThanOrEqual(29_000);
    expect(took).toBeLessThan(35_000);
    expect(eventsOf(fleet.events, 'waited')).toContainEqual(
      expect.objectContaining({ outcome: 'lease-acquired' }),
    );
  });

  test('while the leader is alive and slow, waiters keep waiting and never issue', async () => {
    fleet = createFleet({ issuer: { latencyMs: 50_000 }, provider: { issueTimeoutMs: 120_000 } });
    const replicas = Array.from({ length: 4 }, () => fleet.replica());
    const headers = await settle(Promise.all(replicas.map((replica) => replica.getAuthorization())), {
      stepMs: 500,
    });
    expect(new Set(headers).size).toBe(1);
    expect(fleet.fake.calls).toHaveLength(1);
  });
});

describe('fleet-wide backoff in an outage', () => {
  test('8 replicas against an endpoint that always answers 503: attempts stay few, not 8 × retries', async () => {
    fleet = createFleet({ issuer: { fallback: 503 } });
    const replicas = Array.from({ length: 8 }, () => fleet.replica());

    // All 8 start cold at once.
    const first = await Promise.all(replicas.map((replica) => drive(replica.getAuthorization())));
    for (const outcome of first)
      expect(outcome).toMatchObject({ ok: false, error: { code: 'TOKEN_ENDPOINT_UNAVAILABLE' } });
    expect(fleet.fake.calls).toHaveLength(3); // one leader's retries, nobody else's

    // Then 30 minutes of traffic: every replica asks every 10 s.
    for (let t = 0; t < 30 * 60_000; t += 10_000) {
      for (const replica of replicas) {
        const outcome = await drive(replica.getAuthorization(), { stepMs: 250 });
        expect(outcome.ok).toBe(false);
      }
      await advance(10_000, 10_000);
    }
    // 3 attempts, then one probe after 2, 4, 8 and 16 minutes of backoff.
    const attempts = fleet.fake.calls.length;
    expect(attempts).toBeLessThanOrEqual(8);
    const ns = (await replicas[0]!.status()).namespace;
    expect((await fleet.memory.quotaUsage(ns, { windowMs: DAY })).used).toBe(attempts);
    const gaps = fleet.fake.calls.slice(3).map((call, index) => call.at - fleet.fake.calls[index + 2]!.at);
    for (let i = 1; i < gaps.length; i += 1) expect(gaps[i]!).toBeGreaterThan(gaps[i - 1]!);

    // When the endpoint recovers, the next probe gets the token and the whole fleet uses it.
    fleet.fake.fallback = 'ok';
    await advance(40 * 60_000, 60_000);
    const headers = await settle(Promise.all(replicas.map((replica) => replica.getAuthorization())));
    expect(new Set(headers)).toEqual(new Set([`JWT ${fleet.fake.tokens[0]}`]));
    expect(fleet.fake.tokens).toHaveLength(1);
  });

  test('a failing replica tells callers when to retry, and fails fast without I/O until then', async () => {
    fleet = createFleet({ issuer: { fallback: 502 } });
    const provider = fleet.replica();
    const error = await settle(provider.getAuthorization().catch((caught: unknown) => caught));
    expect(error).toMatchObject({ code: 'TOKEN_ENDPOINT_UNAVAILABLE', retryable: true });
    const storeCalls = fleet.control.total();
    const again = await settle(provider.getAuthorization().catch((caught: unknown) => caught));
    expect(again).toMatchObject({
      code: 'TOKEN_ENDPOINT_UNAVAILABLE',
      retryAt: (error as { retryAt: number }).retryAt,
    });
    expect(fleet.control.total()).toBe(storeCalls);
  });
});

describe('key isolation (guarantee 9)', () => {
  test('two environments and two API users never share a token or a quota on one store', async () => {
    fleet = createFleet({ provider: { quota: { limit: 1, windowMs: DAY } } });
    const production = fleet.replica();
    const staging = fleet.replica({ baseUrl: 'https://staging.connexease.test' });
    const otherUser = fleet.replica({ credentials: { username: 'bob', password: 'bobs-password' } });

    const headers = await Promise.all(
      [production, staging, otherUser].map((provider) => settle(provider.getAuthorization())),
    );
    // One issue each: with a limit of 1, a shared quota would have refused two of them.
    expect(fleet.fake.calls).toHaveLength(3);
    expect(new Set(headers).size).toBe(3);
    const namespaces = await Promise.all(
      [production, staging, otherUser].map(async (provider) => (await settle(provider.status())).namespace),
    );
    expect(new Set(namespaces).size).toBe(3);
    for (const status of await Promise.all([production, staging, otherUser].map((p) => settle(p.status())))) {
      expect(status.quota).toMatchObject({ used: 1, limit: 1 });
    }
    // A second replica of production reuses production's token, never staging's or bob's.
    expect(await settle(fleet.replica().getAuthorization())).toBe(headers[0]);
    expect(fleet.fake.calls).toHaveLength(3);
  });
});
