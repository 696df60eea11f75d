import { isConnexeaseAuthError } from '@connexease-kit/auth-core';
import { CliError } from './cli-error.ts';
import { exitCodeFor } from './exit-codes.ts';
import { formatDelta, isoTime } from './format.ts';
import type { Output } from './io.ts';

/**
 * Prints a failure as one `connexease-auth: …` line on standard error (plus a hint line where one
 * helps) and returns its exit code:
 * - `ConnexeaseAuthError`: `connexease-auth: QUOTA_EXHAUSTED: <message> (retry at <when>)`;
 * - the CLI's own failures: `connexease-auth: <message>` and a hint;
 * - anything else: `connexease-auth: unexpected error: <message>` and a hint to use `--debug`, which
 *   prints the stack (and every error's `cause` chain).
 * Everything passes through the output's secret scrubbing.
 */
export function reportError(
  error: unknown,
  output: Output,
  options: { debug: boolean; now: number },
): number {
  if (error instanceof CliError) {
    output.note(oneLine(error.message));
    if (error.hint !== undefined) output.err(`${error.hint}\n`);
    return error.exitCode;
  }
  if (isConnexeaseAuthError(error)) {
    const details: string[] = [];
    if (error.blockedCode !== undefined && error.code === 'BLOCKED')
      details.push(`blocked by ${error.blockedCode}`);
    if (error.retryAt !== undefined) {
      details.push(`retry at ${isoTime(error.retryAt)}, ${formatDelta(error.retryAt - options.now)}`);
    }
    const suffix = details.length === 0 ? '' : ` (${details.join('; ')})`;
    output.note(`${error.code}: ${oneLine(error.message)}${suffix}`);
    if (options.debug) printDebug(error, output);
    return exitCodeFor(error);
  }
  const message = error instanceof Error ? error.message : String(error);
  output.note(`unexpected error: ${oneLine(message)}`);
  if (options.debug) printDebug(error, output);
  else output.err('Run again with --debug to see the stack trace.\n');
  return exitCodeFor(error);
}

function printDebug(error: unknown, output: Output): void {
  let current: unknown = error;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    const text = current instanceof Error ? (current.stack ?? current.message) : String(current);
    output.err(`${depth === 0 ? '' : 'caused by: '}${text}\n`);
    current = current instanceof Error ? current.cause : undefined;
  }
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
