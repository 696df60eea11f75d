import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTerminal, runCli } from './support/run-cli.ts';
import { jwtNamespace, openFixture, requireRedis, type StoreFixture, uniqueUser } from './support/stores.ts';

const BASE_URL = 'https://api.connexease.test';
const DAY = 86_400_000;

beforeAll(() => requireRedis());

describe.each(['redis', 'postgres', 'file'] as const)('forget-loss on the %s store', (kind) => {
  let fixture: StoreFixture;
  const namespaces: string[] = [];
  beforeAll(async () => {
    fixture = await openFixture(kind);
  });
  afterAll(() => fixture.cleanup(namespaces));

  /** A user whose services made two attempts, then the store lost those entries (not the marker). */
  async function lostQuota(label: string) {
    const username = uniqueUser(label);
    const ns = await jwtNamespace(BASE_URL, username);
    namespaces.push(ns);
    const lease = (await fixture.store.acquireLease(ns, { ttlMs: 60_000 }))!;
    for (const id of ['attempt-1', 'attempt-2']) {
      expect((await fixture.store.reserveIssue(ns, { id, limit: 25, windowMs: DAY, lease })).granted).toBe(
        true,
      );
    }
    await fixture.store.releaseLease(ns, lease);
    await fixture.loseQuota(ns);
    return { username, ns, args: [...fixture.args, '--base-url', BASE_URL, '--username', username] };
  }

  it('status reports the lost past as spent; forget-loss --yes frees it and says what it freed', async () => {
    const { username, ns, args } = await lostQuota('yes');
    const status = await runCli(['status', '--json', ...args]);
    expect(status.code).toBe(4);
    const report = JSON.parse(status.stdout);
    expect(report).toMatchObject({ health: 'quota-exhausted', quota: { used: 0, remaining: 0 } });
    expect(report.quota.lostThrough).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect((await runCli(['status', ...args])).stdout).toContain('lost: the store lost its record');

    const freed = await runCli(['forget-loss', '--yes', ...args]);
    expect(freed.code).toBe(0);
    expect(freed.stdout).toMatch(
      new RegExp(
        `^freed the lost quota of ${username} at ${BASE_URL}: the store lost its record of POST /jwt/`,
      ),
    );
    expect((await fixture.store.quotaUsage(ns, { windowMs: DAY })).lostThrough).toBeNull();
    expect(JSON.parse((await runCli(['status', '--json', ...args])).stdout)).toMatchObject({
      health: 'ok',
      quota: { lostThrough: null, remaining: 25 },
    });

    const again = await runCli(['forget-loss', '--yes', ...args]);
    expect(again.stdout).toBe(
      `nothing lost for ${username} at ${BASE_URL}: the store's quota record is intact (0 of 25 used)\n`,
    );
  });

  it('refuses without --yes when standard input is not a terminal; asks on a terminal', async () => {
    const { ns, args } = await lostQuota('ask');
    const refused = await runCli(['forget-loss', ...args], { isTTY: false, input: 'y\n' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('refusing to free the lost quota');
    expect(refused.stderr).toContain('Pass --yes');

    const declined = await runCli(['forget-loss', ...args], {
      isTTY: true,
      stdin: new FakeTerminal().typeWhenRead('n\n'),
    });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('[y/N]');
    expect(declined.stderr).toContain('the API bans the user on the 31st token in a day');
    expect((await fixture.store.quotaUsage(ns, { windowMs: DAY })).lostThrough).not.toBeNull();

    const confirmed = await runCli(['forget-loss', ...args], {
      isTTY: true,
      stdin: new FakeTerminal().typeWhenRead('y\n'),
    });
    expect(confirmed.code).toBe(0);
    expect((await fixture.store.quotaUsage(ns, { windowMs: DAY })).lostThrough).toBeNull();
  });
});
