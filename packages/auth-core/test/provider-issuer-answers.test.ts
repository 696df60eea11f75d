import { ConnexeaseAuthError, createTokenProvider } from '@connexease-kit/auth-core';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import {
  advance,
  createFakeIssuer,
  createFleet,
  DAY,
  eventsOf,
  type Fleet,
  HOUR,
  PASSWORD,
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

async function namespaceOf(): Promise<string> {
  return (await fleet.providers[0]!.status()).namespace;
}

test('credentials are checked locally first: an empty username is CONFIG_INVALID and nothing is sent', () => {
  const fake = createFakeIssuer();
  const store = createFleet().memory;
  for (const username of ['', '   ']) {
    expect(() =>
      createTokenProvider({ credentials: { username, password: PASSWORD }, issuer: fake.issuer, store }),
    ).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  }
  expect(() => createTokenProvider({ credentials: { username: 'john', password: PASSWORD }, store })).toThrow(
    expect.objectContaining({ code: 'CONFIG_INVALID' }),
  );
  expect(fake.calls).toHaveLength(0);
});

describe('4XX answers are never retried', () => {
  test('400: INVALID_REQUEST, one attempt, no block', async () => {
    fleet = createFleet({ issuer: { fallback: 400 } });
    const [first, other] = [fleet.replica(), fleet.replica()];
    const error = await settleError(first.getAuthorization());
    expect(error).toMatchObject({ code: 'INVALID_REQUEST', status: 400 });
    expect(fleet.fake.calls).toHaveLength(1);
    expect(await fleet.memory.readBlock(await namespaceOf())).toBeNull();
    // Another replica right after does not send the same request again at once (fleet backoff).
    const second = await settleError(other.getAuthorization());
    expect(second.code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    expect(second.retryAt).toBeGreaterThan(Date.now());
    expect(fleet.fake.calls).toHaveLength(1);
  });

  test('401: INVALID_CREDENTIALS, then BLOCKED for every replica until the block ends', async () => {
    fleet = createFleet({ issuer: { fallback: 401 } });
    const [first, other] = [fleet.replica(), fleet.replica()];
    const startedAt = Date.now();
    const error = await settleError(first.getAuthorization());
    expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401 });
    expect(fleet.fake.calls).toHaveLength(1);

    const block = await fleet.memory.readBlock(await namespaceOf());
    expect(block).toMatchObject({ code: 'INVALID_CREDENTIALS', status: 401, until: startedAt + HOUR });
    expect(block?.fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(block)).not.toContain(PASSWORD);
    expect(fleet.memory.inspectTtls(await namespaceOf())).toContainEqual({ key: 'block', ttlMs: HOUR });

    for (const replica of [other, first, fleet.replica()]) {
      const blocked = await settleError(replica.getAuthorization());
      expect(blocked).toMatchObject({
        code: 'BLOCKED',
        blockedCode: 'INVALID_CREDENTIALS',
        status: 401,
        retryAt: startedAt + HOUR,
      });
    }
    expect(fleet.fake.calls).toHaveLength(1);
    expect(eventsOf(fleet.events, 'blocked').map((event) => event.source)).toContain('store');

    // The block ends after invalidCredentialsBlockMs (1 h): the same password may try once more.
    await advance(HOUR + 1000, 60_000);
    expect((await settleError(other.getAuthorization())).code).toBe('INVALID_CREDENTIALS');
    expect(fleet.fake.calls).toHaveLength(2);
  });

  test('a 401 block does not stop a changed password, which tries at once', async () => {
    fleet = createFleet({ issuer: { password: 'the-new-password' } });
    const old = fleet.replica();
    expect((await settleError(old.getAuthorization())).code).toBe('INVALID_CREDENTIALS');
    const rotated = fleet.replica({ credentials: { username: 'john.doe', password: 'the-new-password' } });
    expect(await settle(rotated.getAuthorization())).toBe(`JWT ${fleet.fake.tokens[0]}`);
    expect(fleet.fake.calls.map((call) => call.answer)).toEqual([401, 'ok']);
    const status = await rotated.status();
    expect(status.block).toMatchObject({ code: 'INVALID_CREDENTIALS', appliesToCurrentCredentials: false });
    // The old password is still blocked, though a token now sits in the store for the namespace.
    expect((await old.status()).block?.appliesToCurrentCredentials).toBe(true);
  });

  test.each([
    ['403-banned', 'AGENT_BANNED'],
    ['403-inactive', 'ACCOUNT_INACTIVE'],
  ] as const)('%s: %s, a block without expiry, BLOCKED everywhere until unblock()', async (answer, code) => {
    fleet = createFleet();
    fleet.fake.script(answer);
    const [first, other] = [fleet.replica(), fleet.replica()];
    const error = await settleError(first.getAuthorization());
    expect(error).toMatchObject({ code, status: 403 });

    const block = await fleet.memory.readBlock(await namespaceOf());
    expect(block).toMatchObject({ code, status: 403 });
    expect(block?.until).toBeUndefined();
    expect(block?.fingerprint).toBeUndefined();

    const blocked = await settleError(other.getAuthorization());
    expect(blocked).toMatchObject({ code: 'BLOCKED', blockedCode: code, status: 403, retryAt: undefined });
    expect(blocked.message).toContain('unblock()');
    await advance(DAY, HOUR);
    expect((await settleError(first.getAuthorization())).code).toBe('BLOCKED');
    expect(fleet.fake.calls).toHaveLength(1);

    await other.unblock();
    expect(eventsOf(fleet.events, 'unblocked')).toHaveLength(1);
    expect(await fleet.memory.readBlock(await namespaceOf())).toBeNull();
    expect(await settle(other.getAuthorization())).toBe(`JWT ${fleet.fake.tokens[0]}`);
    // The other replica notices the unblock within seconds and takes the new token from the store.
    await advance(6000);
    expect(await settle(first.getAuthorization())).toBe(`JWT ${fleet.fake.tokens[0]}`);
    expect(fleet.fake.calls).toHaveLength(2);
  });
});

describe('5XX, network errors and timeouts are retried with backoff, each attempt reserving quota', () => {
  test('502, 502, then 200: success on the third attempt, three reservations', async () => {
    fleet = createFleet();
    fleet.fake.script(502, 502, 'ok');
    const provider = fleet.replica();
    expect(await settle(provider.getAuthorization())).toBe(`JWT ${fleet.fake.tokens[0]}`);
    expect(fleet.fake.calls).toHaveLength(3);
    expect((await fleet.memory.quotaUsage(await namespaceOf(), { windowMs: DAY })).used).toBe(3);
    expect(eventsOf(fleet.events, 'issue-failed')).toEqual([
      expect.objectContaining({
        code: 'TOKEN_ENDPOINT_UNAVAILABLE',
        status: 502,
        attempt: 1,
        retryable: true,
      }),
      expect.objectContaining({ attempt: 2 }),
    ]);
    expect(eventsOf(fleet.events, 'issued')).toEqual([expect.objectContaining({ attempt: 3 })]);
    // Backoff between attempts: full jitter (random 0.5) of 500 ms then 1000 ms.
    const [a, b, c] = fleet.fake.calls.map((call) => call.at);
    expect([b! - a!, c! - b!]).toEqual([250, 500]);
  });

  test('each attempt uses a fresh reservation id', async () => {
    fleet = createFleet();
    fleet.fake.script(503, 'ok');
    await settle(fleet.replica().getAuthorization());
    const ids = fleet.control.log
      .filter((entry) => entry.method === 'reserveIssue')
      .map((entry) => (entry.args[1] as { id: string }).id);
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  test.each([
    ['an issuer that honours its signal', 'timeout'],
    ['an issuer that ignores it', 'hang'],
  ] as const)(
    'timeouts (%s) are counted and retried, then TOKEN_ENDPOINT_UNAVAILABLE',
    async (_name, answer) => {
      fleet = createFleet({ issuer: { fallback: answer }, provider: { issueTimeoutMs: 5000 } });
      const error = await settleError(fleet.replica().getAuthorization());
      expect(error.code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
      expect(error.cause).toBeInstanceOf(ConnexeaseAuthError);
      expect((error.cause as ConnexeaseAuthError).code).toBe('TIMEOUT');
      expect((error.cause as ConnexeaseAuthError).message).toMatch(/within 5s \(issueTimeoutMs\)/);
      expect(error.retryAt).toBeGreaterThan(Date.now());
      expect(fleet.fake.calls).toHaveLength(3);
      expect((await fleet.memory.quotaUsage(await namespaceOf(), { windowMs: DAY })).used).toBe(3);
      expect(eventsOf(fleet.events, 'issue-failed').map((event) => event.code)).toEqual([
        'TIMEOUT',
        'TIMEOUT',
        'TIMEOUT',
      ]);
    },
  );

  test('a non-typed issuer failure (a fetch TypeError) is treated as a network error and retried', async () => {
    fleet = createFleet();
    let calls = 0;
    const provider = fleet.replica({
      issuer: async (request) => {
        calls += 1;
        if (calls === 1) throw new TypeError('fetch failed');
        return fleet.fake.issuer(request);
      },
    });
    expect(await settle(provider.getAuthorization())).toBe(`JWT ${fleet.fake.tokens[0]}`);
    expect(calls).toBe(2);
  });
});

describe('a fresh token that is already due', () => {
  test('is INVALID_RESPONSE, never stored, never a reason to issue again', async () => {
    fleet = createFleet();
    fleet.fake.script('expired-token');
    const [first, other] = [fleet.replica(), fleet.replica()];
    const error = await settleError(first.getAuthorization());
    expect(error.code).toBe('INVALID_RESPONSE');
    expect(fleet.fake.calls).toHaveLength(1);
    expect(await fleet.memory.readToken(await namespaceOf())).toBeNull();
    expect((await settleError(other.getAuthorization())).code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    expect((await settleError(first.getAuthorization())).code).toBe('TOKEN_ENDPOINT_UNAVAILABLE');
    expect(fleet.fake.calls).toHaveLength(1);
  });
});
