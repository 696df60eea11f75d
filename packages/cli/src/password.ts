import { CliError } from './cli-error.ts';
import { EXIT_CODES } from './exit-codes.ts';
import type { CliIo } from './io.ts';
import { readHidden } from './prompt.ts';

/**
 * The API user's password, from `CONNEXEASE_PASSWORD`, or asked for without echo when standard input is
 * a terminal. Never from the command line.
 *
 * @param purpose Why it is needed, for the error when it cannot be had (`'issuing a token needs the password'`).
 * @throws CliError exit 1 when there is no variable and no terminal, or nothing was typed; exit 130 on Ctrl-C.
 */
export async function obtainPassword(io: CliIo, username: string, purpose: string): Promise<string> {
  const fromEnv = io.env.CONNEXEASE_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  if (!io.isTTY) {
    throw new CliError(
      EXIT_CODES.USAGE,
      `${purpose}, but CONNEXEASE_PASSWORD is not set and standard input is not a terminal to ask on`,
      'Set CONNEXEASE_PASSWORD in the environment (a password is never accepted as an argument).',
    );
  }
  const password = await readHidden(`Password for API user ${username}: `, {
    stdin: io.stdin,
    write: io.stderr,
    signal: io.signal,
  });
  if (password === '') throw new CliError(EXIT_CODES.USAGE, 'no password entered; nothing was done');
  return password;
}
