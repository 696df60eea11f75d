import { CliError } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { withNamespace } from '../context.ts';
import { describeBlock, isBlockActive } from '../describe-block.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import { readLine } from '../prompt.ts';
import { resolveSettings } from '../settings.ts';

const CONFIRM_QUESTION =
  'Clear it? Do this only after Connexease support has reactivated the API user, or the next ' +
  'token request is refused again. [y/N] ';

/**
 * `connexease-auth unblock [--yes]`: clears the namespace's shared block after a confirmation (a
 * terminal prompt, or `--yes`), and prints what it cleared on standard output. Services notice within
 * seconds and resume issuing.
 */
export async function unblockCommand(context: CommandContext): Promise<number> {
  const { io, output, line } = context;
  const settings = resolveSettings(line, io.env);
  const who = `${settings.username} at ${settings.baseUrl}`;
  return withNamespace(context, settings, { mustExist: true }, async ({ store, ns }) => {
    const block = await store.readBlock(ns);
    if (block === null || !isBlockActive(block, context.now())) {
      output.out(`no block for ${who}: nothing to clear\n`);
      return EXIT_CODES.OK;
    }
    const description = describeBlock(block, context.now());
    if (!line.yes) {
      if (!io.isTTY) {
        throw new CliError(
          EXIT_CODES.USAGE,
          `refusing to clear the block of ${who} without confirmation: standard input is not a terminal; it stays: ${description}`,
          'Pass --yes to clear it (only after Connexease support has reactivated the API user).',
        );
      }
      output.err(`Block of ${who}:\n  ${description}\n`);
      const answer = await readLine(CONFIRM_QUESTION, {
        stdin: io.stdin,
        write: (text) => output.err(text),
        signal: io.signal,
      });
      if (!/^y(es)?$/i.test(answer.trim())) {
        throw new CliError(EXIT_CODES.USAGE, 'not confirmed; the block stays');
      }
    }
    await store.clearBlock(ns);
    output.out(`cleared the block of ${who}: ${description}\n`);
    return EXIT_CODES.OK;
  });
}
