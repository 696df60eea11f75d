import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serviceFailsToStart, serviceStartsOnce } from './support/fleet.ts';
import { FakeTerminal, runCli } from './support/run-cli.ts';
import { storeNow, writeRecord } from './support/store-clock.ts';
import { jwtNamespace, openFixture, requireRedis, type StoreFixture, uniqueUser } from './support/stores.ts';

const PASSWORD = 'token-cmd-password';
const DAY = 86_400_000;

let mock: MockServer;
beforeAll(async () => {
  await requireRedis();
  mock = await startMockServer({ users: [] });
});
afterAll(() => mock.close());

describe.each(['redis', 'postgres', 'file'] as const)('token on the %s store', (kind) => {
  let fixture: StoreFixture;
  const namespaces: string[] = [];
  beforeAll(async () => {
    fixture = await openFixture(kind);
  });
  afterAll(() => fixture.cleanup(namespaces));
  beforeEach(() => mock.control.resetStats());

  async function newUser(label: string, status: 'active' | 'banned' = 'active') {
    const username = uniqueUser(label);
    mock.control.upsertUser({ username, password: PASSWORD, status });
    const ns = await jwtNamespace(mock.url, username);
    namespaces.push(ns);
    return { username, ns, args: [...fixture.args, '--base-url', mock.url, '--username', username] };
  }

  it('prints the cached token as a header value without a password and without any POST /jwt/', async () => {
    const { username, ns, args } = await newUser('cached');
    await serviceStartsOnce({ store: fixture.store, baseUrl: mock.url, username, password: PASSWORD });
    const record = await fixture.store.readToken(ns);
    mock.control.resetStats();

    const result = await runCli(['token', ...args]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`JWT ${record!.value}\n`);
    expect(result.stderr).toContain('using the cached token, expires in');
    expect(result.stderr).not.toContain(record!.value);

    const quiet = await runCli(['token', '--quiet', '--no-issue', ...args]);
    expect(quiet).toEqual({ code: 0, stdout: `JWT ${record!.value}\n`, stderr: '' });
    expect(mock.control.stats().jwtAttempts.total).toBe(0);
  });

  it('issues exactly one token when none is cached, through the shared store', async () => {
    const { ns, args } = await newUser('issue');
    const env = { CONNEXEASE_PASSWORD: PASSWORD };
    const first = await runCli(['token', ...args], { env });
    expect(first.code).toBe(0);
    const record = await fixture.store.readToken(ns);
    expect(first.stdout).toBe(`JWT ${record!.value}\n`);
    // The fence of the lease that wrote it (PostgreSQL draws fences from one sequence: not always 1).
    expect(first.stderr).toContain(`issued a new token (POST /jwt/, fence ${record!.fence}), expires in`);
    expect(first.stderr).not.toContain(record!.value);
    expect(first.stderr).not.toContain(PASSWORD);
    expect(mock.control.stats()).toMatchObject({ issues: { total: 1 }, jwtAttempts: { total: 1 } });

    const second = await runCli(['token', ...args], { env });
    expect(second.stdout).toBe(first.stdout);
    expect(mock.control.stats().jwtAttempts.total).toBe(1);
    expect((await fixture.store.quotaUsage(ns, { windowMs: DAY })).used).toBe(1);
  });

  it('--no-issue with nothing cached exits 7 and sends nothing', async () => {
    const { args } = await newUser('no-issue');
    const result = await runCli(['token', '--no-issue', ...args], { env: { CONNEXEASE_PASSWORD: PASSWORD } });
    expect(result.code).toBe(7);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no usable token is cached');
    expect(result.stderr).toContain('--no-issue forbids issuing one');
    expect(mock.control.stats().jwtAttempts.total).toBe(0);
  });
});

describe('token on the redis store', () => {
  let fixture: StoreFixture;
  const namespaces: string[] = [];
  beforeAll(async () => {
    fixture = await openFixture('redis');
  });
  afterAll(() => fixture.cleanup(namespaces));
  beforeEach(() => mock.control.resetStats());

  async function newUser(label: string, status: 'active' | 'banned' = 'active') {
    const username = uniqueUser(label);
    mock.control.upsertUser({ username, password: PASSWORD, status });
    const ns = await jwtNamespace(mock.url, username);
    namespaces.push(ns);
    return { username, ns, args: [...fixture.args, '--base-url', mock.url, '--username', username] };
  }

  it('asks for the password without echo on a terminal when none is cached', async () => {
    const { ns, args } = await newUser('prompt');
    // A typo, corrected with backspace, and an arrow key that must not end up in the password.
    const terminal = new FakeTerminal().typeWhenRead(`x\u007f\u001b[D${PASSWORD}\r`);
    const result = await runCli(['token', ...args], { isTTY: true, stdin: terminal });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`JWT ${(await fixture.store.readToken(ns))!.value}\n`);
    expect(terminal.rawModes).toEqual([true, false]);
    expect(result.stderr).toContain('Password for API user');
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    expect(mock.control.stats().issues.total).toBe(1);
  });

  it('serves a cached token the store clock says is valid, with the local clock 40 minutes ahead', async () => {
    const { ns, args } = await newUser('skewed');
    // Expires 35 minutes from now on the store's clock (Redis TIME): already past on this host's clock.
    const issuedAt = await storeNow(fixture, ns);
    const expiresAt = issuedAt + 35 * 60_000;
    await writeRecord(fixture, ns, { value: 'header.safe.token', issuedAt, expiresAt });
    const localNow = (await storeNow(fixture, ns)) + 40 * 60_000;

    const result = await runCli(['token', '--no-issue', ...args], { now: () => localNow });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('JWT header.safe.token\n');
    // 35 minutes on the store's clock, less the (unknown, small) time the test took so far.
    expect(result.stderr).toContain(`using the cached token, expires in 3`);
    expect(result.stderr).toMatch(/expires in (34m \d+s|35m) \(/);
    expect(result.stderr).toContain(`(${new Date(expiresAt).toISOString()})`);
    expect(mock.control.stats().jwtAttempts.total).toBe(0);
  });

  it('without a password and without a terminal exits 1 and sends nothing', async () => {
    const { args } = await newUser('no-password');
    const result = await runCli(['token', ...args], { isTTY: false });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('CONNEXEASE_PASSWORD is not set and standard input is not a terminal');
    expect(mock.control.stats().jwtAttempts.total).toBe(0);
  });

  it('Ctrl-C at the password prompt exits 130 and sends nothing', async () => {
    const { args } = await newUser('ctrl-c');
    const terminal = new FakeTerminal().typeWhenRead('abc\u0003');
    const result = await runCli(['token', ...args], { isTTY: true, stdin: terminal });
    expect(result.code).toBe(130);
    expect(result.stderr).toContain('connexease-auth: interrupted');
    expect(terminal.rawModes).toEqual([true, false]);
    expect(mock.control.stats().jwtAttempts.total).toBe(0);
  });

  it('an interrupt while waiting for another process that is issuing exits 130 and sends nothing', async () => {
    const { ns, args } = await newUser('wait');
    const lease = await fixture.store.acquireLease(ns, { ttlMs: 60_000 });
    const interrupt = new AbortController();
    const pending = runCli(['token', ...args], {
      env: { CONNEXEASE_PASSWORD: PASSWORD },
      signal: interrupt.signal,
    });
    setTimeout(() => interrupt.abort(), 300);
    const result = await pending;
    expect(result.code).toBe(130);
    expect(result.stderr).toContain(`another process holds the issue lease (fence ${lease!.fence}): waiting`);
    expect(result.stderr).toContain('ABORTED');
    expect(mock.control.stats().jwtAttempts.total).toBe(0);
    await fixture.store.releaseLease(ns, lease!);
  });

  it('exits 3 for a fleet-wide block, before asking for a password', async () => {
    const { username, ns, args } = await newUser('banned', 'banned');
    await serviceFailsToStart({ store: fixture.store, baseUrl: mock.url, username, password: PASSWORD });
    mock.control.resetStats();
    const result = await runCli(['token', ...args], { isTTY: true, stdin: new FakeTerminal() });
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^connexease-auth: BLOCKED: no token is cached and issuing is blocked for /,
    );
    expect(result.stderr).toContain("run 'connexease-auth unblock' (blocked by AGENT_BANNED)");
    expect(result.stderr).not.toContain('Password');
    expect(mock.control.stats().jwtAttempts.total).toBe(0);
    expect(await fixture.store.readBlock(ns)).not.toBeNull();
  });

  it('exits 4 when the quota is spent, with the retry time, and sends nothing', async () => {
    const { ns, args } = await newUser('quota');
    const lease = (await fixture.store.acquireLease(ns, { ttlMs: 1000 }))!;
    const request = { id: 'earlier-attempt', limit: 1, windowMs: DAY, lease };
    expect((await fixture.store.reserveIssue(ns, request)).granted).toBe(true);
    await fixture.store.releaseLease(ns, lease);
    const [reservedAt] = (await fixture.store.quotaUsage(ns, { windowMs: DAY })).reservedAt;
    const result = await runCli(['token', '--limit', '1', ...args], {
      env: { CONNEXEASE_PASSWORD: PASSWORD },
    });
    expect(result.code).toBe(4);
    expect(result.stderr).toContain(
      'connexease-auth: QUOTA_EXHAUSTED: no token is cached and the issue quota is spent (1 of 1 in the last 24h); nothing was sent',
    );
    expect(result.stderr).toContain(`(retry at ${new Date(reservedAt! + DAY).toISOString()}, in 23h`);
    expect(mock.control.stats().jwtAttempts.total).toBe(0);
  });

  it('exits 5 for a wrong password (one attempt), then 3 fleet-wide for the same password (none)', async () => {
    const { args } = await newUser('wrong');
    const env = { CONNEXEASE_PASSWORD: 'not-the-password' };
    const first = await runCli(['token', ...args], { env });
    expect(first.code).toBe(5);
    expect(first.stderr).toMatch(/^connexease-auth: INVALID_CREDENTIALS: /);
    expect(first.stderr).not.toContain('not-the-password');
    expect(mock.control.stats().jwtAttempts.total).toBe(1);

    const second = await runCli(['token', ...args], { env });
    expect(second.code).toBe(3);
    expect(second.stderr).toMatch(/^connexease-auth: BLOCKED: .*\(blocked by INVALID_CREDENTIALS; retry at /);
    expect(mock.control.stats().jwtAttempts.total).toBe(1);
  });

  it('exits 6 when the token endpoint gives no usable answer', async () => {
    const { args } = await newUser('unavailable');
    mock.control.queueFaults('no-token');
    const result = await runCli(['token', ...args], { env: { CONNEXEASE_PASSWORD: PASSWORD } });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('connexease-auth: INVALID_RESPONSE: ');
    expect(result.stdout).toBe('');
    expect(mock.control.stats().jwtAttempts.total).toBe(1);
  });

  it('exits 6 after retrying a failing token endpoint', async () => {
    const { args } = await newUser('outage');
    mock.control.queueFaults('503', '503', '503');
    const result = await runCli(['token', ...args], { env: { CONNEXEASE_PASSWORD: PASSWORD } });
    expect(result.code).toBe(6);
    expect(result.stderr).toContain('POST /jwt/ attempt 1 failed (TOKEN_ENDPOINT_UNAVAILABLE)');
    expect(result.stderr).toContain('connexease-auth: TOKEN_ENDPOINT_UNAVAILABLE: ');
    expect(mock.control.stats().jwtAttempts.total).toBe(3);
  }, 20_000);
});
