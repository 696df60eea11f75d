import { CliError } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { withNamespace } from '../context.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import { isoTime } from '../format.ts';
import { readLine } from '../prompt.ts';
import { resolveSettings } from '../settings.ts';

/**
 * `connexease-auth forget-loss [--yes]`: when the store lost its record of past `POST /jwt/` attempts
 * and no running service remembered them, the fleet counts that past as spent for a whole window
 * (guarantee 10). An operator who knows no token was requested then (a brand-new API user, a test
 * environment) frees it here, after a confirmation (a terminal prompt, or `--yes`).
 */
export async function forgetLossCommand(context: CommandContext): Promise<number> {
  const { io, output, line } = context;
  const settings = resolveSettings(line, io.env);
  const who = `${settings.username} at ${settings.baseUrl}`;
  const { windowMs, limit } = settings.quota;
  return withNamespace(context, settings, { mustExist: true }, async ({ store, ns }) => {
    const usage = await store.quotaUsage(ns, { windowMs });
    const lostThrough = usage.lostThrough ?? null;
    if (lostThrough === null || lostThrough <= usage.now - windowMs) {
      output.out(
        `nothing lost for ${who}: the store's quota record is intact (${usage.used} of ${limit} used)\n`,
      );
      return EXIT_CODES.OK;
    }
    const description =
      `the store lost its record of POST /jwt/ attempts made up to ${isoTime(lostThrough)}; the fleet counts ` +
      `them as spent until ${isoTime(lostThrough + windowMs)} (${usage.used} attempt(s) after that are known)`;
    if (!line.yes) {
      if (!io.isTTY) {
        throw new CliError(
          EXIT_CODES.USAGE,
          `refusing to free the lost quota of ${who} without confirmation: standard input is not a terminal; ${description}`,
          'Pass --yes to free it (only if you know no token was requested for this API user in that time).',
        );
      }
      output.err(`Quota of ${who}:\n  ${description}\n`);
      const answer = await readLine(
        'Treat that past as free? Only if you know no token was requested for this API user in that ' +
          'window: the API bans the user on the 31st token in a day. [y/N] ',
        { stdin: io.stdin, write: (text) => output.err(text), signal: io.signal },
      );
      if (!/^y(es)?$/i.test(answer.trim())) {
        throw new CliError(EXIT_CODES.USAGE, 'not confirmed; the lost quota stays counted as spent');
      }
    }
    await store.clearQuotaLoss(ns);
    output.out(`freed the lost quota of ${who}: ${description}\n`);
    return EXIT_CODES.OK;
  });
}
