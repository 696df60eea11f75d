import { PassThrough } from 'node:stream';
import { EXIT_CODES, run } from '@connexease-kit/cli';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/run-cli.ts';
import { REDIS_URL, requireRedis } from './support/stores.ts';

beforeAll(requireRedis);

const redisArgs = ['--redis', REDIS_URL, '--username', 'cli-errors-user'];

describe('exit codes', () => {
  it('documents stable numbers', () => {
    expect(EXIT_CODES).toEqual({
      OK: 0,
      USAGE: 1,
      STORE_UNAVAILABLE: 2,
      BLOCKED: 3,
      QUOTA_EXHAUSTED: 4,
      AUTH_FAILED: 5,
      ENDPOINT_UNAVAILABLE: 6,
      NO_CACHED_TOKEN: 7,
      INTERNAL: 70,
      INTERRUPTED: 130,
    });
  });

  it('exits 2 when the store cannot be reached, without showing the Redis URL or its password', async () => {
    const url = 'redis://:redis-secret-pw@127.0.0.1:1';
    const result = await runCli(['status', '--redis', url, '--username', 'u']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^connexease-auth: STORE_UNAVAILABLE: .*\n$/);
    expect(result.stderr).not.toContain('redis-secret-pw');
    expect(result.stderr).not.toContain(url);

    const fromEnv = await runCli(['unblock', '--yes', '--username', 'u'], {
      env: { CONNEXEASE_REDIS_URL: url },
    });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).not.toContain('redis-secret-pw');
  }, 20_000);

  it('exits 2 when PostgreSQL cannot be reached, without showing the URL or its password', async () => {
    const url = 'postgres://app:pg-secret-pw@127.0.0.1:1/app';
    const result = await runCli(['status', '--postgres', url, '--username', 'u']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^connexease-auth: STORE_UNAVAILABLE: .*\n$/);
    expect(result.stderr).not.toContain('pg-secret-pw');

    const fromEnv = await runCli(['status', '--username', 'u'], { env: { CONNEXEASE_DATABASE_URL: url } });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr).not.toContain('pg-secret-pw');
  }, 20_000);

  it.each([
    [
      ['status', '--redis', REDIS_URL],
      {},
      'CONFIG_INVALID: no API user: pass --username NAME or set CONNEXEASE_USERNAME',
    ],
    [
      ['status', '--username', 'u'],
      {},
      'CONFIG_INVALID: no store: pass --redis URL, --postgres URL or --file [DIR]',
    ],
    [
      ['status', '--username', 'u', '--redis', REDIS_URL, '--file'],
      {},
      'pass one of --redis, --postgres or --file, not --redis and --file',
    ],
    [
      ['status', '--username', 'u', '--postgres', 'mysql://db/app'],
      {},
      '--postgres must be a postgres:// or postgresql:// URL',
    ],
    [['status', '--username', 'u'], { CONNEXEASE_STORE: 'postgres' }, 'CONNEXEASE_DATABASE_URL is required'],
    [['status', ...redisArgs, '--limit', '31'], {}, '--limit must be an integer from 1 to 30 (the API bans'],
    [
      ['status', ...redisArgs],
      { CONNEXEASE_JWT_DAILY_LIMIT: 'lots' },
      'CONNEXEASE_JWT_DAILY_LIMIT must be an integer',
    ],
    [['status', ...redisArgs, '--window-ms', '0'], {}, '--window-ms must be an integer from 1 to'],
    [['status', '--username', 'u'], { CONNEXEASE_STORE: 'memory' }, 'memory, which lives inside one process'],
    [['status', '--username', 'u'], { CONNEXEASE_STORE: 'redis' }, 'CONNEXEASE_REDIS_URL is required'],
    [
      ['status', '--username', 'u', '--redis', 'http://not-redis'],
      {},
      '--redis must be a redis:// or rediss:// URL',
    ],
    [
      ['status', ...redisArgs, '--base-url', 'ftp://x'],
      {},
      'CONFIG_INVALID: --base-url must use http: or https:',
    ],
    [['token', '--password', 'pw'], {}, 'a password is never accepted on the command line'],
    [['status', '--bogus'], {}, "unknown option '--bogus'"],
  ] as const)('exits 1 for %j', async (argv, env, message) => {
    const result = await runCli([...argv], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^connexease-auth: /);
    expect(result.stderr).toContain(message);
  });

  it('prints one line and a --debug hint for an unexpected error, and the stack with --debug', async () => {
    const failing = (argv: string[]) => {
      let stderr = '';
      return run(argv, {
        stdout: () => {
          throw new Error('EPIPE: the reader went away');
        },
        stderr: (text) => {
          stderr += text;
        },
        stdin: new PassThrough(),
        env: {},
        isTTY: false,
      }).then((code) => ({ code, stderr }));
    };
    const plain = await failing(['--version']);
    expect(plain.code).toBe(70);
    expect(plain.stderr).toBe(
      'connexease-auth: unexpected error: EPIPE: the reader went away\nRun again with --debug to see the stack trace.\n',
    );
    const debug = await failing(['--version', '--debug']);
    expect(debug.code).toBe(70);
    expect(debug.stderr).toContain('connexease-auth: unexpected error: EPIPE: the reader went away\n');
    expect(debug.stderr).toMatch(/Error: EPIPE: the reader went away\n\s+at /);
  });
});

describe('help and version', () => {
  it.each(['status', 'unblock', 'token'])('%s --help describes the command and exits 0', async (command) => {
    const result = await runCli([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`connexease-auth ${command}: `);
    expect(result.stdout).toContain('Usage');
    expect(result.stdout).toContain('Exit codes');
    expect((await runCli(['help', command])).stdout).toBe(result.stdout);
  });

  it('--help lists the commands, options, environment variables and exit codes', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    for (const text of [
      'status',
      'unblock',
      'token',
      '--redis URL',
      '--postgres URL',
      '--file [DIR]',
      'CONNEXEASE_USERNAME',
      '130 interrupted',
    ]) {
      expect(result.stdout).toContain(text);
    }
  });

  it('without a command prints the help on stderr and exits 1', async () => {
    const result = await runCli([]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Usage');
  });

  it('--version prints the package version', async () => {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default;
    expect(await runCli(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect((await runCli(['-v'])).stdout).toBe(`${version}\n`);
  });
});
