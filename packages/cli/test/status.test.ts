import type { StatusReport } from '@connexease-kit/cli';
import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatDelta } from '../src/format.ts';
import { serviceFailsToStart, serviceStartsOnce } from './support/fleet.ts';
import { FakeTerminal, runCli } from './support/run-cli.ts';
import { storeNow, writeRecord } from './support/store-clock.ts';
import { jwtNamespace, openFixture, requireRedis, type StoreFixture, uniqueUser } from './support/stores.ts';

const DAY = 86_400_000;
const PASSWORD = 'correct-horse-battery';

let mock: MockServer;
beforeAll(async () => {
  await requireRedis();
  mock = await startMockServer({ users: [] });
});
afterAll(() => mock.close());

describe.each(['redis', 'postgres', 'file'] as const)('status on the %s store', (kind) => {
  let fixture: StoreFixture;
  const namespaces: string[] = [];
  beforeAll(async () => {
    fixture = await openFixture(kind);
  });
  afterAll(() => fixture.cleanup(namespaces));

  async function newUser(label: string, password = PASSWORD) {
    const username = uniqueUser(label);
    mock.control.upsertUser({ username, password });
    const ns = await jwtNamespace(mock.url, username);
    namespaces.push(ns);
    const args = [...fixture.args, '--base-url', mock.url, '--username', username];
    return { username, ns, args };
  }

  it('shows quota, token times, lease and block, and never the token or the password', async () => {
    const { username, ns, args } = await newUser('all');
    await serviceStartsOnce({ store: fixture.store, baseUrl: mock.url, username, password: PASSWORD });
    const token = await fixture.store.readToken(ns);
    const usage = await fixture.store.quotaUsage(ns, { windowMs: DAY });
    const lease = await fixture.store.acquireLease(ns, { ttlMs: 60_000 });
    expect(token).not.toBeNull();
    // The local clock, pinned 90 minutes before the token expires. Quota, lease and token are judged on the
    // store's own clock, so their durations are derived from the store's time below, not from `now`.
    const now = token!.expiresAt - 90 * 60_000;
    const createdAt = now - 2 * 3_600_000;
    await fixture.store.writeBlock(ns, {
      code: 'AGENT_BANNED',
      status: 403,
      reason: 'This agent has been banned!',
      createdAt,
    });
    expect(lease).not.toBeNull();
    const env = { CONNEXEASE_PASSWORD: PASSWORD };

    const storeBefore = await storeNow(fixture, ns);
    const human = await runCli(['status', ...args], { env, now: () => now });
    const storeAfter = await storeNow(fixture, ns);
    const json = await runCli(['status', '--json', ...args], { env, now: () => now });
    // The human form does not show the store's time: it measured from some instant between the two reads.
    const seenFromStore = (at: number): string[] => [
      formatDelta(at - storeBefore),
      formatDelta(at - storeAfter),
    ];

    const refreshAt = new Date(token!.expiresAt - 30 * 60_000).toISOString();
    const freesAt = new Date(usage.reservedAt[0]! + DAY).toISOString();
    expect(human.code).toBe(3);
    expect(human.stdout).toContain(`API user   ${username} at ${mock.url}`);
    expect(human.stdout).toContain('BLOCKED');
    expect(human.stdout).toContain('1 of 25 used in the last 24h, 24 remaining');
    expect(human.stdout).toMatch(new RegExp(`slot frees up in 23h \\d+m \\(${freesAt}\\)`));
    const expiresIso = new Date(token!.expiresAt).toISOString();
    expect(
      seenFromStore(token!.expiresAt).map((delta) => `token      fresh, expires ${delta} (${expiresIso})`),
    ).toContainEqual(human.stdout.match(/^token {6}.*$/m)?.[0]);
    expect(
      seenFromStore(Date.parse(refreshAt)).map((delta) => `refresh due ${delta} (${refreshAt})`),
      'the refresh time reads "refresh due in 1h" (not "refresh from in 1h")',
    ).toContainEqual(human.stdout.match(/refresh due .*$/m)?.[0]);
    expect(human.stdout, 'the one attempt sits in the newest cell of the 24-hour bar').toContain(
      `           |${'·'.repeat(23)}1| 1h a cell, now on the right\n`,
    );
    expect(human.stdout).toContain(`held (fence ${lease!.fence}), expires in`);
    // Redis derives a lease's expiresAt from TIME + PTTL on every read: allow a few ms between reads.
    const leaseIso = human.stdout.match(/held \(fence \d+\), expires in [^(]*\(([^)]+)\)/)?.[1];
    expect(Math.abs(Date.parse(leaseIso ?? '') - lease!.expiresAt)).toBeLessThanOrEqual(5);
    expect(human.stdout).toContain('AGENT_BANNED (403): This agent has been banned!');
    expect(human.stdout).toContain(`written 2h ago (${new Date(createdAt).toISOString()}), until unblocked`);
    expect(human.stdout).toContain("run 'connexease-auth unblock'");

    expect(json.code).toBe(3);
    const report = JSON.parse(json.stdout) as StatusReport;
    expect(report).toMatchObject({
      version: 1,
      health: 'blocked',
      exitCode: 3,
      apiUser: { baseUrl: mock.url, username, namespace: ns },
      store: { kind },
      quota: {
        limit: 25,
        windowMs: DAY,
        used: 1,
        remaining: 24,
        exhausted: false,
        retryAt: null,
        reservations: [{ reservedAt: new Date(usage.reservedAt[0]!).toISOString(), freesAt }],
      },
      token: {
        state: 'fresh',
        issuedAt: new Date(token!.issuedAt).toISOString(),
        expiresAt: new Date(token!.expiresAt).toISOString(),
        refreshAt,
        fence: token!.fence,
      },
      lease: { fence: lease!.fence },
      block: {
        code: 'AGENT_BANNED',
        status: 403,
        reason: 'This agent has been banned!',
        createdAt: new Date(createdAt).toISOString(),
        until: null,
        untilInMs: null,
        appliesToCurrentPassword: true,
      },
    });
    // Token durations are measured from the store's time the report shows, never from the local `now`.
    const reportStoreNow = Date.parse(report.storeTime);
    expect(report.token!.expiresInMs).toBe(token!.expiresAt - reportStoreNow);
    expect(report.token!.refreshInMs).toBe(Date.parse(refreshAt) - reportStoreNow);
    expect(Math.abs(Date.parse(report.lease!.expiresAt) - lease!.expiresAt)).toBeLessThanOrEqual(5);
    expect(report.lease!.expiresInMs).toBeGreaterThan(0);
    expect(report.lease!.expiresInMs).toBeLessThanOrEqual(60_000);
    expect(report.block!.ageMs).toBe(2 * 3_600_000);
    expect(report.checkedAt).toBe(new Date(now).toISOString());

    for (const output of [human.stdout, human.stderr, json.stdout, json.stderr]) {
      expect(output).not.toContain(token!.value);
      expect(output).not.toContain(PASSWORD);
    }
    await fixture.store.releaseLease(ns, lease!);
  });

  it('is healthy (exit 0) with a token and quota left, and says when nothing at all is stored', async () => {
    const { username, args } = await newUser('healthy');
    const empty = await runCli(['status', ...args]);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toContain('health     ok');
    expect(empty.stdout).toContain('none cached');
    expect(empty.stdout).toContain('lease      free');
    expect(empty.stdout).toContain('block      none');
    expect(empty.stderr).toContain('nothing is stored for this API user');

    await serviceStartsOnce({ store: fixture.store, baseUrl: mock.url, username, password: PASSWORD });
    const after = await runCli(['status', '--json', ...args]);
    expect(after.code).toBe(0);
    expect(after.stderr).toBe('');
    const report = JSON.parse(after.stdout) as StatusReport;
    expect(report).toMatchObject({ health: 'ok', exitCode: 0, block: null, lease: null });
    expect(report.token?.state).toBe('fresh');
  });

  it('exits 4 when the quota is spent, with the time the next slot frees up', async () => {
    const { username, ns, args } = await newUser('quota');
    await serviceStartsOnce({ store: fixture.store, baseUrl: mock.url, username, password: PASSWORD });
    const usage = await fixture.store.quotaUsage(ns, { windowMs: DAY });
    const retryAt = new Date(usage.reservedAt[0]! + DAY).toISOString();

    const human = await runCli(['status', '--limit', '1', ...args]);
    expect(human.code).toBe(4);
    expect(human.stdout).toContain(`QUOTA EXHAUSTED: nothing can be issued before ${retryAt} (exit 4)`);
    expect(human.stdout).toContain('1 of 1 used in the last 24h, 0 remaining');

    const json = await runCli(['status', '--json', ...args], { env: { CONNEXEASE_JWT_DAILY_LIMIT: '1' } });
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stdout)).toMatchObject({
      health: 'quota-exhausted',
      exitCode: 4,
      quota: { used: 1, limit: 1, remaining: 0, exhausted: true, retryAt },
    });
  });

  it('tells whether a 401 block applies to the password it is given', async () => {
    const { username, ns, args } = await newUser('wrong-password');
    const error = await serviceFailsToStart({
      store: fixture.store,
      baseUrl: mock.url,
      username,
      password: 'an-old-password',
    });
    expect(error).toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect((await fixture.store.readBlock(ns))?.fingerprint).toEqual(expect.any(String));

    const unknown = await runCli(['status', '--json', ...args]);
    expect(unknown.code).toBe(3);
    expect(JSON.parse(unknown.stdout).block).toMatchObject({
      code: 'INVALID_CREDENTIALS',
      status: 401,
      appliesToCurrentPassword: null,
    });
    const unknownHuman = await runCli(['status', ...args]);
    expect(unknownHuman.stdout).toContain('set CONNEXEASE_PASSWORD or pass --check-password');

    const rejected = await runCli(['status', '--json', ...args], {
      env: { CONNEXEASE_PASSWORD: 'an-old-password' },
    });
    expect(rejected.code).toBe(3);
    expect(JSON.parse(rejected.stdout).block.appliesToCurrentPassword).toBe(true);

    const terminal = new FakeTerminal().typeWhenRead(`${PASSWORD}\r`);
    const fixed = await runCli(['status', '--json', '--check-password', ...args], {
      isTTY: true,
      stdin: terminal,
    });
    expect(fixed.code).toBe(0);
    const report = JSON.parse(fixed.stdout) as StatusReport;
    expect(report.health).toBe('ok');
    expect(report.block).toMatchObject({ appliesToCurrentPassword: false });
    expect(report.block!.untilInMs).toBeGreaterThan(0);
    expect(terminal.rawModes).toEqual([true, false]);
    expect(fixed.stderr).toContain(`Password for API user ${username}: `);
    expect(fixed.stdout + fixed.stderr).not.toContain(PASSWORD);
  });
});

describe('status on a host whose clock is off', () => {
  let fixture: StoreFixture;
  const namespaces: string[] = [];
  beforeAll(async () => {
    fixture = await openFixture('redis');
  });
  afterAll(() => fixture.cleanup(namespaces));

  it('judges the token on the store clock (Redis TIME) with the local clock 10 minutes ahead', async () => {
    const username = uniqueUser('skewed');
    const ns = await jwtNamespace(mock.url, username);
    namespaces.push(ns);
    // Written as a service would, on the store's clock: a 95-minute life, refreshed from 30 minutes before
    // expiry, i.e. 5 minutes from now; a host 10 minutes ahead that trusted its own clock would call it `due`.
    const written = await storeNow(fixture, ns);
    const issuedAt = written - 60 * 60_000;
    const expiresAt = written + 35 * 60_000;
    await writeRecord(fixture, ns, { value: 'header.safe.token', issuedAt, expiresAt });
    const localNow = (await storeNow(fixture, ns)) + 10 * 60_000;

    const before = await storeNow(fixture, ns);
    const result = await runCli(
      ['status', '--json', ...fixture.args, '--base-url', mock.url, '--username', username],
      {
        now: () => localNow,
      },
    );
    const report = JSON.parse(result.stdout) as StatusReport;
    expect(result.code).toBe(0);
    expect(report.checkedAt).toBe(new Date(localNow).toISOString());
    expect(report.token).toMatchObject({
      state: 'fresh',
      issuedAt: new Date(issuedAt).toISOString(),
      expiresAt: new Date(expiresAt).toISOString(),
    });
    expect(Math.abs(report.token!.expiresInMs - (expiresAt - before))).toBeLessThanOrEqual(1_000);
    expect(Math.abs(report.token!.refreshInMs - (expiresAt - 30 * 60_000 - before))).toBeLessThanOrEqual(
      1_000,
    );
  });
});

describe('status store selection', () => {
  it('fails with exit 1 for a file store directory that does not exist, and creates nothing', async () => {
    const missing = `/tmp/cxk-cli-missing-${crypto.randomUUID()}`;
    const result = await runCli(['status', '--file', missing, '--username', 'someone']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`CONFIG_INVALID: the file store directory ${missing} does not exist`);
    const { existsSync } = await import('node:fs');
    expect(existsSync(missing)).toBe(false);
  });

  it('uses CONNEXEASE_STORE=file with the default directory under XDG_CACHE_HOME', async () => {
    const fixture = await openFixture('file');
    try {
      const directory = fixture.args[1]!;
      const { mkdir } = await import('node:fs/promises');
      await mkdir(`${directory}/connexease-kit`, { mode: 0o700 });
      const result = await runCli(['status', '--json'], {
        env: { CONNEXEASE_STORE: 'file', XDG_CACHE_HOME: directory, CONNEXEASE_USERNAME: 'someone' },
      });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).store).toEqual({
        kind: 'file',
        directory: `${directory}/connexease-kit`,
      });
    } finally {
      await fixture.cleanup([]);
    }
  });

  it('uses CONNEXEASE_REDIS_URL and CONNEXEASE_BASE_URL from the environment', async () => {
    const username = uniqueUser('env');
    const result = await runCli(['status', '--json'], {
      env: {
        CONNEXEASE_REDIS_URL: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
        CONNEXEASE_BASE_URL: 'https://API.example.test:443/',
        CONNEXEASE_USERNAME: username,
      },
    });
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as StatusReport;
    expect(report.store).toEqual({ kind: 'redis' });
    expect(report.apiUser).toEqual({
      baseUrl: 'https://api.example.test',
      username,
      namespace: await jwtNamespace('https://api.example.test', username),
    });
  });
});
