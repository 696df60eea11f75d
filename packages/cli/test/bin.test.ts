import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jwtNamespace,
  openFixture,
  REDIS_URL,
  requireRedis,
  type StoreFixture,
  uniqueUser,
} from './support/stores.ts';

// The bin's source, run by Node 24 as is (type stripping); its workspace dependencies load from their builds.
const CLI = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

function connexeaseAuth(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the connexease-auth process', () => {
  let mock: MockServer;
  let fixture: StoreFixture;
  const namespaces: string[] = [];
  beforeAll(async () => {
    await requireRedis();
    mock = await startMockServer({ users: [] });
    fixture = await openFixture('redis');
  });
  afterAll(async () => {
    await fixture.cleanup(namespaces);
    await mock.close();
  });

  it('prints help and its version, and refuses --password', async () => {
    const help = await connexeaseAuth(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('connexease-auth <command> [options]');
    const version = await connexeaseAuth(['--version']);
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    const password = await connexeaseAuth(['token', '--password', 'hunter22']);
    expect(password.code).toBe(1);
    expect(password.stderr).toContain('never accepted on the command line');
    expect(password.stderr).not.toContain('hunter22');
  }, 30_000);

  it('issues once, then serves the cache, with only the header on stdout and real exit codes', async () => {
    const username = uniqueUser('bin');
    mock.control.upsertUser({ username, password: 'bin-password' });
    const ns = await jwtNamespace(mock.url, username);
    namespaces.push(ns);
    const env = {
      CONNEXEASE_REDIS_URL: REDIS_URL,
      CONNEXEASE_BASE_URL: mock.url,
      CONNEXEASE_USERNAME: username,
    };

    const none = await connexeaseAuth(['token', '--no-issue'], env);
    expect(none.code).toBe(7);
    expect(none.stdout).toBe('');

    const issued = await connexeaseAuth(['token'], { ...env, CONNEXEASE_PASSWORD: 'bin-password' });
    expect(issued.code).toBe(0);
    const record = await fixture.store.readToken(ns);
    expect(issued.stdout).toBe(`JWT ${record!.value}\n`);

    const cached = await connexeaseAuth(['token'], env);
    expect(cached).toMatchObject({ code: 0, stdout: issued.stdout });
    expect(mock.control.stats().jwtAttempts.byUser[username]).toBe(1);

    const status = await connexeaseAuth(['status', '--json'], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      health: 'ok',
      quota: { used: 1 },
      token: { state: 'fresh' },
    });
    expect(status.stdout + status.stderr).not.toContain(record!.value);

    await fixture.store.writeBlock(ns, {
      code: 'ACCOUNT_INACTIVE',
      status: 403,
      reason: 'inactive',
      createdAt: Date.now(),
    });
    const blocked = await connexeaseAuth(['status'], env);
    expect(blocked.code).toBe(3);
    const unblocked = await connexeaseAuth(['unblock', '--yes'], env);
    expect(unblocked.code).toBe(0);
    expect(unblocked.stdout).toContain('cleared the block of');
  }, 60_000);
});
