import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serviceFailsToStart } from './support/fleet.ts';
import { FakeTerminal, runCli } from './support/run-cli.ts';
import { jwtNamespace, openFixture, requireRedis, type StoreFixture, uniqueUser } from './support/stores.ts';

const PASSWORD = 'support-reactivated-me';

let mock: MockServer;
beforeAll(async () => {
  await requireRedis();
  mock = await startMockServer({ users: [] });
});
afterAll(() => mock.close());

describe.each(['redis', 'postgres', 'file'] as const)('unblock on the %s store', (kind) => {
  let fixture: StoreFixture;
  const namespaces: string[] = [];
  beforeAll(async () => {
    fixture = await openFixture(kind);
  });
  afterAll(() => fixture.cleanup(namespaces));

  /** A user the API banned: a service's start-up got 403 and wrote the fleet-wide block. */
  async function bannedUser(label: string) {
    const username = uniqueUser(label);
    mock.control.upsertUser({ username, password: PASSWORD, status: 'banned' });
    const ns = await jwtNamespace(mock.url, username);
    namespaces.push(ns);
    const error = await serviceFailsToStart({
      store: fixture.store,
      baseUrl: mock.url,
      username,
      password: PASSWORD,
    });
    expect(error).toMatchObject({ code: 'AGENT_BANNED' });
    expect(await fixture.store.readBlock(ns)).toMatchObject({ code: 'AGENT_BANNED', status: 403 });
    return { username, ns, args: [...fixture.args, '--base-url', mock.url, '--username', username] };
  }

  it('--yes clears the block, says what it cleared, and the fleet can issue again', async () => {
    const { username, ns, args } = await bannedUser('yes');
    const result = await runCli(['unblock', '--yes', ...args]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^cleared the block of ${username} at ${mock.url}: AGENT_BANNED \\(403\\) "[^"]*This agent has been banned![^"]*", ` +
          'written (now|.+ ago) \\(\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\), until unblocked\\n$',
      ),
    );
    expect(await fixture.store.readBlock(ns)).toBeNull();

    const status = await runCli(['status', '--json', ...args]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ health: 'ok', block: null });

    const again = await runCli(['unblock', '--yes', ...args]);
    expect(again.code).toBe(0);
    expect(again.stdout).toBe(`no block for ${username} at ${mock.url}: nothing to clear\n`);
  });

  it('refuses without --yes when standard input is not a terminal, and the block stays', async () => {
    const { ns, args } = await bannedUser('refuse');
    const result = await runCli(['unblock', ...args], { isTTY: false, input: 'y\n' });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('refusing to clear the block');
    expect(result.stderr).toContain('standard input is not a terminal');
    expect(result.stderr).toContain('Pass --yes to clear it');
    expect(await fixture.store.readBlock(ns)).toMatchObject({ code: 'AGENT_BANNED' });
  });

  it('asks on a terminal: y clears, anything else keeps the block', async () => {
    const { ns, args } = await bannedUser('ask');
    const declined = await runCli(['unblock', ...args], {
      isTTY: true,
      stdin: new FakeTerminal().typeWhenRead('n\n'),
    });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('AGENT_BANNED (403)');
    expect(declined.stderr).toContain('This agent has been banned!');
    expect(declined.stderr).toContain('[y/N]');
    expect(declined.stderr).toContain('not confirmed; the block stays');
    expect(await fixture.store.readBlock(ns)).not.toBeNull();

    const empty = await runCli(['unblock', ...args], {
      isTTY: true,
      stdin: new FakeTerminal().typeWhenRead('\n'),
    });
    expect(empty.code).toBe(1);
    expect(await fixture.store.readBlock(ns)).not.toBeNull();

    const terminal = new FakeTerminal().typeWhenRead('yes\n');
    const confirmed = await runCli(['unblock', ...args], { isTTY: true, stdin: terminal });
    expect(confirmed.code).toBe(0);
    expect(confirmed.stdout).toContain('cleared the block of');
    expect(terminal.rawModes).toEqual([]); // a confirmation is typed visibly
    expect(await fixture.store.readBlock(ns)).toBeNull();
  });
});
