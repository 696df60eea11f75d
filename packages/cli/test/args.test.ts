import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/args.ts';
import { CliError } from '../src/cli-error.ts';

function parseError(argv: string[]): CliError {
  try {
    parseCommandLine(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    return error as CliError;
  }
  throw new Error('expected a usage error');
}

describe('parseCommandLine', () => {
  it('takes options before or after the command', () => {
    expect(parseCommandLine(['--redis', 'redis://r', 'status', '--json'])).toMatchObject({
      command: 'status',
      redis: 'redis://r',
      json: true,
    });
    expect(parseCommandLine(['unblock', '-y', '--username', 'u'])).toMatchObject({
      command: 'unblock',
      yes: true,
      username: 'u',
    });
  });

  it('reads --file with or without a directory', () => {
    expect(parseCommandLine(['status', '--file']).file).toBe('');
    expect(parseCommandLine(['--file', 'status']).file).toBe('');
    expect(parseCommandLine(['--file', 'status']).command).toBe('status');
    expect(parseCommandLine(['status', '--file', '--json'])).toMatchObject({ file: '', json: true });
    expect(parseCommandLine(['status', '--file', '/var/lib/svc'])).toMatchObject({ file: '/var/lib/svc' });
    expect(parseCommandLine(['--file=/srv/x', 'token']).file).toBe('/srv/x');
    expect(parseCommandLine(['--file', './status', 'status']).file).toBe('./status');
  });

  it('treats `help <command>` as `<command> --help`', () => {
    expect(parseCommandLine(['help', 'token'])).toMatchObject({ command: 'token', help: true });
    expect(parseCommandLine(['help'])).toMatchObject({ command: undefined, help: true });
    // Help for a command may be asked with any of its options present.
    expect(parseCommandLine(['token', '--json', '--help'])).toMatchObject({ command: 'token', help: true });
  });

  it.each([
    ['--password', 'hunter2'],
    ['--password=hunter2'],
    ['--PASSWORD=hunter2'],
    ['--pass', 'hunter2'],
    ['-pw', 'hunter2'],
  ])('refuses %s and explains why, without repeating it', (...flag) => {
    const error = parseError(['token', ...flag]);
    expect(error.exitCode).toBe(1);
    expect(error.message).toContain('never accepted on the command line');
    expect(error.message).toContain('process list');
    expect(error.hint).toContain('CONNEXEASE_PASSWORD');
    expect(`${error.message} ${error.hint}`).not.toContain('hunter2');
  });

  it('reports unknown options and commands, without repeating an option value', () => {
    const unknown = parseError(['status', '--pasword=my-secret-value']);
    expect(unknown.message).toBe("unknown option '--pasword'");
    expect(unknown.hint).toBe("Run 'connexease-auth status --help' for usage.");
    expect(parseError(['stauts']).message).toBe(
      "unknown command 'stauts' (commands: status, unblock, token, forget-loss)",
    );
    expect(parseError(['status', '--limit']).message).toBe('--limit needs a value');
    expect(parseError(['status', '--json=yes']).message).toBe('--json does not take a value');
    expect(parseError(['status', 'extra']).message).toBe("'status' takes no arguments, but got 1 more");
  });

  it("rejects another command's options", () => {
    expect(parseError(['status', '--yes']).message).toBe(
      "--yes is an option of 'unblock' and 'forget-loss' only",
    );
    expect(parseError(['unblock', '--json']).message).toBe("--json is an option of 'status' only");
    expect(parseError(['status', '--no-issue']).message).toBe("--no-issue is an option of 'token' only");
  });
});
