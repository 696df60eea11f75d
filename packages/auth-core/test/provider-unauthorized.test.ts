import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { makeJwt } from './support/jwt.ts';
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

let fleet: Fleet;

beforeEach(() => {
  useVirtualTime();
});

afterEach(async () => {
  await fleet?.closeAll();
  vi.useRealTimers();
});

/** Writes `value` into the store as another replica's newer token would be. */
async function storeNewerToken(ns: string, value: string): Promise<void> {
  const lease = await fleet.memory.acquireLease(ns, { ttlMs: 1000 });
  const now = Date.now();
  expect(
    await fleet.memory.writeToken(ns, lease!, {
      value,
      issuedAt: now,
      expiresAt: now + DAY,
      fence: lease!.fence,
    }),
  ).toBe(true);
  await fleet.memory.releaseLease(ns, lease!);
}

describe('handleUnauthorized', () => {
  test('a stale token while the store holds a newer one: retried with it, nothing issued', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    const stale = await settle(provider.getAuthorization());
    const { namespace } = await provider.status();
    const newer = makeJwt({ sub: 'newer', exp: Math.floor(Date.now() / 1000) + 86_400 });
    await storeNewerToken(namespace, newer);
    await advance(5 * 60_000, 60_000);

    expect(await settle(provider.handleUnauthorized(stale))).toBe(`JWT ${newer}`);
    expect(await provider.getAuthorization()).toBe(`JWT ${newer}`);
    expect(fleet.fake.calls).toHaveLength(1);
    expect(eventsOf(fleet.events, 'reused-from-store')).toHaveLength(1);
  });

  test('a 401 for a token we already replaced is answered from memory, without I/O', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    const current = await settle(provider.getAuthorization());
    const before = fleet.control.total();
    expect(await provider.handleUnauthorized('JWT some-older-token')).toBe(current);
    expect(fleet.control.total()).toBe(before);
  });

  test('the current token rejected: one issue fleet-wide for any number of concurrent reporters', async () => {
    fleet = createFleet({ issuer: { latencyMs: 500 } });
    const replicas = Array.from({ length: 5 }, () => fleet.replica());
    const [rejected] = await settle(Promise.all(replicas.map((replica) => replica.getAuthorization())));
    await advance(10 * 60_000, 60_000);

    const reports = replicas.flatMap((replica) =>
      Array.from({ length: 20 }, () => replica.handleUnauthorized(rejected!)),
    );
    const answers = await settle(Promise.all(reports));
    expect(new Set(answers)).toEqual(new Set([`JWT ${fleet.fake.tokens[1]}`]));
    expect(fleet.fake.calls).toHaveLength(2);
    // Each replica reported the 401 once (one recovery per rejected value); one of them issued.
    expect(eventsOf(fleet.events, 'token-rejected').map((event) => event.outcome)).toEqual(
      Array(5).fill('refresh'),
    );
    for (const replica of replicas)
      expect(await replica.getAuthorization()).toBe(`JWT ${fleet.fake.tokens[1]}`);

    // The API rejects the brand-new token too: the endpoint's doing. No further issue anywhere.
    const second = await Promise.all(
      replicas.map((replica) => settleError(replica.handleUnauthorized(`JWT ${fleet.fake.tokens[1]}`))),
    );
    for (const error of second) expect(error).toMatchObject({ code: 'ENDPOINT_REFUSED', status: 401 });
    expect(fleet.fake.calls).toHaveLength(2);
    expect(await fleet.memory.readToken((await replicas[0]!.status()).namespace)).toMatchObject({
      value: fleet.fake.tokens[1],
    });
  });

  test('the rejected token is never adopted again, even if a store read still returns it', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    const rejected = await settle(provider.getAuthorization());
    const ns = (await provider.status()).namespace;
    const stale = await fleet.memory.readToken(ns);
    await advance(5 * 60_000, 60_000);
    const replacement = await settle(provider.handleUnauthorized(rejected));
    expect(replacement).toBe(`JWT ${fleet.fake.tokens[1]}`);

    // A lagging read (a replica of the store, say) hands back the rejected token once the new one expires.
    fleet.control.store.readToken = async () => stale;
    await advance(DAY, 60 * 60_000);
    const next = await settle(provider.getAuthorization());
    expect(next).toBe(`JWT ${fleet.fake.tokens[2]}`);
    expect(fleet.fake.calls).toHaveLength(3);
  });

  test('a 401 on a call already resent with a refreshed token is ENDPOINT_REFUSED without I/O', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    const current = await settle(provider.getAuthorization());
    const before = fleet.control.total();
    const error = await settleError(provider.handleUnauthorized(current, { retried: true }));
    expect(error).toMatchObject({ code: 'ENDPOINT_REFUSED', status: 401, retryable: false });
    expect(error.message).toMatch(/endpoint refuses this API user/);
    expect(fleet.control.total()).toBe(before);
    expect(await provider.getAuthorization()).toBe(current);
    expect(fleet.fake.calls).toHaveLength(1);
  });

  test('a value that is not a JWT Authorization header is TOKEN_REJECTED without I/O', async () => {
    fleet = createFleet();
    const provider = fleet.replica();
    await settle(provider.getAuthorization());
    const before = fleet.control.total();
    for (const value of ['Bearer abc', 'Basic abc', 'JWT', '', 'JWT a b']) {
      await expect(provider.handleUnauthorized(value)).rejects.toMatchObject({ code: 'TOKEN_REJECTED' });
    }
    expect(fleet.control.total()).toBe(before);
    expect(fleet.fake.calls).toHaveLength(1);
  });

  test('with no token anywhere (it expired), a 401 just refreshes', async () => {
    fleet = createFleet({ issuer: { lifetimeMs: 2 * 60 * 60_000 } });
    const provider = fleet.replica();
    const old = await settle(provider.getAuthorization());
    await advance(3 * 60 * 60_000, 60 * 60_000);
    expect(await settle(provider.handleUnauthorized(old))).toBe(`JWT ${fleet.fake.tokens[1]}`);
    expect(fleet.fake.calls).toHaveLength(2);
  });
});
