import { parseCommandLine } from './args.ts';
import { forgetLossCommand } from './commands/forget-loss.ts';
import { statusCommand } from './commands/status.ts';
import { tokenCommand } from './commands/token.ts';
import { unblockCommand } from './commands/unblock.ts';
import type { CommandContext } from './context.ts';
import { EXIT_CODES } from './exit-codes.ts';
import { helpText } from './help.ts';
import { type CliIo, Output } from './io.ts';
import { reportError } from './report-error.ts';
import { VERSION } from './version.ts';

const COMMANDS = {
  status: statusCommand,
  unblock: unblockCommand,
  token: tokenCommand,
  'forget-loss': forgetLossCommand,
} as const;

/**
 * Runs `connexease-auth` with `argv` (the arguments after the program name) and resolves with the exit
 * code; it never throws and never calls `process.exit`, so tests can run it in-process. Failures are
 * printed as one line on `io.stderr` (see the README for the exit codes). Nothing written to
 * `io.stdout` or `io.stderr` contains the password, the Redis URL or a token, except the header value
 * `token` prints on standard output.
 *
 * @example
 * const code = await run(['status', '--json'], {
 *   stdout: (text) => process.stdout.write(text),
 *   stderr: (text) => process.stderr.write(text),
 *   stdin: process.stdin,
 *   env: process.env,
 *   isTTY: Boolean(process.stdin.isTTY),
 * });
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const output = new Output(io);
  const now = io.now ?? Date.now;
  output.addSecret(io.env.CONNEXEASE_PASSWORD);
  let debug = argv.includes('--debug');
  try {
    const line = parseCommandLine(argv);
    debug = line.debug;
    for (const url of [
      line.redis,
      line.postgres,
      io.env.CONNEXEASE_REDIS_URL,
      io.env.CONNEXEASE_DATABASE_URL,
    ]) {
      registerUrlSecrets(output, url);
    }
    if (line.version) {
      output.out(`${VERSION}\n`);
      return EXIT_CODES.OK;
    }
    if (line.command === undefined) {
      if (line.help) {
        output.out(helpText(undefined));
        return EXIT_CODES.OK;
      }
      output.err(helpText(undefined));
      return EXIT_CODES.USAGE;
    }
    if (line.help) {
      output.out(helpText(line.command));
      return EXIT_CODES.OK;
    }
    const context: CommandContext = { io, output, line, now };
    return await COMMANDS[line.command](context);
  } catch (error) {
    return reportError(error, output, { debug, now: now() });
  }
}

/** A Redis URL may carry a password: neither the URL nor that password is ever printed. */
function registerUrlSecrets(output: Output, url: string | undefined): void {
  if (url === undefined || url === '') return;
  output.addSecret(url);
  output.addSecret(url.trim());
  try {
    const parsed = new URL(url.trim());
    if (parsed.password !== '') {
      output.addSecret(parsed.password);
      output.addSecret(decodeURIComponent(parsed.password));
    }
  } catch {
    // Not a URL: settings reject it with a message that does not repeat it.
  }
}
