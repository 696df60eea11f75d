import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/cli-args.ts';
import { runCli } from '../src/cli-main.ts';

const CLI_SOURCE = fileURLToPath(new URL('../src/cli.ts', import.meta.url));

describe('parseCliArgs', () => {
  it('maps every flag to an option', () => {
    const { options, log, help } = parseCliArgs([
      '--port=4010',
      '--host',
      '0.0.0.0',
      '--user',
      'a:pa',
      '--user',
      'b:p:with:colons',
      '--access-token',
      'cxat_1',
      '--token-lifetime',
      '60',
      '--quota-limit',
      '3',
      '--quota-window-ms',
      '1000',
      '--latency-ms',
      '5',
      '--secret',
      's',
      '--no-admin',
      '--log',
    ]);
    expect(options).toEqual({
      port: 4010,
      host: '0.0.0.0',
      users: [
        { username: 'a', password: 'pa' },
        { username: 'b', password: 'p:with:colons' },
      ],
      accessTokens: ['cxat_1'],
      tokenLifetimeSeconds: 60,
      quota: { limit: 3, windowMs: 1000 },
      latencyMs: 5,
      secret: 's',
      admin: false,
    });
    expect(log).toBe(true);
    expect(help).toBe(false);
  });

  it('gives defaults for no flags', () => {
    expect(parseCliArgs([])).toEqual({ help: false, log: false, options: {} });
  });

  it.each([
    [['--user', 'nopassword']],
    [['--user', ':pw']],
    [['--port', 'abc']],
    [['--quota-limit', '-1']],
    [['--unknown']],
    [['positional']],
  ])('rejects %j with a TypeError', (argv) => {
    expect(() => parseCliArgs(argv)).toThrow(TypeError);
  });
});

describe('runCli', () => {
  it('prints usage and exits 2 for bad arguments, without echoing a password', async () => {
    let stderr = '';
    const code = await runCli(['--user', 'secret-pass-no-colon'], {
      stdout: () => {},
      stderr: (text) => {
        stderr += text;
      },
      stopSignal: new Promise(() => {}),
    });
    expect(code).toBe(2);
    expect(stderr).toContain('Usage: connexease-mock');
    expect(stderr).not.toContain('secret-pass-no-colon');
  });

  it('prints help on stdout', async () => {
    let stdout = '';
    const code = await runCli(['--help'], {
      stdout: (text) => {
        stdout += text;
      },
      stderr: () => {},
      stopSignal: new Promise(() => {}),
    });
    expect(code).toBe(0);
    expect(stdout).toContain('--quota-window-ms');
  });
});

describe('the connexease-mock process', () => {
  it('prints its URL, serves the API, never prints the password, and exits 0 on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      [CLI_SOURCE, '--user', 'ops:s3cret-pw', '--quota-limit', '1', '--log'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      const [url] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const post = () =>
        fetch(`${url}/jwt/`, {
          method: 'POST',
          body: JSON.stringify({ username: 'ops', password: 's3cret-pw' }),
        });
      expect((await post()).status).toBe(200);
      expect((await post()).status).toBe(403);
      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(stderr).toContain('POST /jwt/ 403 ops');
      expect(stderr).not.toContain('s3cret-pw');
    } finally {
      child.kill('SIGKILL');
    }
  }, 20_000);
});
