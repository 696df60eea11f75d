import { parseArgs } from 'node:util';
import { CliError } from './cli-error.ts';
import { EXIT_CODES } from './exit-codes.ts';

/** The commands of `connexease-auth`. */
export const COMMANDS = ['status', 'unblock', 'token', 'forget-loss'] as const;
export type CommandName = (typeof COMMANDS)[number];

/** Options every command accepts: where the store is, whose namespace, the quota and output. */
const COMMON_OPTIONS = {
  redis: { type: 'string' },
  postgres: { type: 'string' },
  file: { type: 'string' },
  'base-url': { type: 'string' },
  username: { type: 'string' },
  limit: { type: 'string' },
  'window-ms': { type: 'string' },
  'refresh-before-ms': { type: 'string' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

/** Options of one command only. */
const COMMAND_OPTIONS = {
  json: { type: 'boolean' },
  'check-password': { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'no-issue': { type: 'boolean' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const OWNERS: Record<keyof typeof COMMAND_OPTIONS, readonly CommandName[]> = {
  json: ['status'],
  'check-password': ['status'],
  yes: ['unblock', 'forget-loss'],
  'no-issue': ['token'],
  quiet: ['token'],
};

/** What the command line asked for, before the environment is consulted. */
export interface CommandLine {
  /** `undefined` for the bare program (`--help`, `--version`, or nothing). */
  command: CommandName | undefined;
  help: boolean;
  version: boolean;
  debug: boolean;
  redis: string | undefined;
  /** `--postgres URL`: the PostgreSQL store's connection string. */
  postgres: string | undefined;
  /** `''` for `--file` without a directory (the default directory). */
  file: string | undefined;
  baseUrl: string | undefined;
  username: string | undefined;
  limit: string | undefined;
  windowMs: string | undefined;
  refreshBeforeMs: string | undefined;
  json: boolean;
  checkPassword: boolean;
  yes: boolean;
  noIssue: boolean;
  quiet: boolean;
}

const PASSWORD_FLAG = /^--?(password|passwd|pass|pw)(=|$)/i;

/**
 * Parses `argv` (without `node` and the script) with `node:util` `parseArgs`. Options may come before
 * or after the command. `help [command]` is the same as `[command] --help`.
 *
 * @throws CliError (exit 1) for `--password` (explaining why), unknown commands or options, missing
 *   values, extra arguments, or an option that belongs to another command. Messages never repeat an
 *   option's value.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  rejectPasswordFlag(argv);
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(withFileDefault(argv));
  } catch (error) {
    throw usage(
      describeParseError(error),
      argv.find((arg): arg is CommandName => isCommand(arg)),
    );
  }
  const { values, positionals } = parsed;
  let words = positionals;
  let help = values.help === true;
  if (words[0] === 'help') {
    help = true;
    words = words.slice(1);
  }
  const [first, ...extra] = words;
  let command: CommandName | undefined;
  if (first !== undefined) {
    if (!isCommand(first)) {
      throw usage(`unknown command '${first}' (commands: ${COMMANDS.join(', ')})`);
    }
    command = first;
  }
  if (extra.length > 0) {
    throw usage(
      `${command === undefined ? 'the program' : `'${command}'`} takes no arguments, but got ${extra.length} more`,
      command,
    );
  }
  if (!help) rejectOtherCommandsOptions(values, command);
  return {
    command,
    help,
    version: values.version === true,
    debug: values.debug === true,
    redis: values.redis,
    postgres: values.postgres,
    file: values.file,
    baseUrl: values['base-url'],
    username: values.username,
    limit: values.limit,
    windowMs: values['window-ms'],
    refreshBeforeMs: values['refresh-before-ms'],
    json: values.json === true,
    checkPassword: values['check-password'] === true,
    yes: values.yes === true,
    noIssue: values['no-issue'] === true,
    quiet: values.quiet === true,
  };
}

function rejectOtherCommandsOptions(
  values: ReturnType<typeof parseOptions>['values'],
  command: CommandName | undefined,
): void {
  for (const [name, owners] of Object.entries(OWNERS)) {
    const given = values[name as keyof typeof values] !== undefined;
    if (given && (command === undefined || !owners.includes(command))) {
      throw usage(
        `--${name} is an option of ${owners.map((owner) => `'${owner}'`).join(' and ')} only`,
        command,
      );
    }
  }
}

function parseOptions(args: string[]) {
  return parseArgs({
    args,
    options: { ...COMMON_OPTIONS, ...COMMAND_OPTIONS },
    allowPositionals: true,
    strict: true,
  });
}

/**
 * A password on the command line is visible to every user of the machine (`ps`, `/proc/<pid>/cmdline`)
 * and stays in shell history, so the flag is refused outright rather than reported as unknown.
 */
function rejectPasswordFlag(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === '--') return;
    if (PASSWORD_FLAG.test(arg)) {
      throw new CliError(
        EXIT_CODES.USAGE,
        'a password is never accepted on the command line: other users of this machine can read it in the ' +
          'process list (ps, /proc) and it stays in your shell history',
        'Set CONNEXEASE_PASSWORD, or run the command in a terminal and type the password when asked.',
      );
    }
  }
}

/**
 * `--file` takes an optional directory, which `parseArgs` cannot express: a bare `--file` (last, or
 * followed by an option or a command name) becomes `--file=` (the default directory); otherwise the
 * next argument is the directory. A directory named like a command needs a path: `--file ./status`.
 */
function withFileDefault(argv: readonly string[]): string[] {
  const result: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] as string;
    if (arg === '--') {
      result.push(...argv.slice(index));
      break;
    }
    if (arg !== '--file') {
      result.push(arg);
      continue;
    }
    const next = argv[index + 1];
    if (next === undefined || next.startsWith('-') || isCommandWord(next)) {
      result.push('--file=');
    } else {
      result.push(`--file=${next}`);
      index++;
    }
  }
  return result;
}

function isCommand(word: string): word is CommandName {
  return (COMMANDS as readonly string[]).includes(word);
}

function isCommandWord(word: string): boolean {
  return word === 'help' || isCommand(word);
}

/** `parseArgs` errors, reworded; the option's value (which could be a secret) is never repeated. */
function describeParseError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  const option = /'(-[^' ]*)/.exec(message)?.[1] ?? 'an option';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option '${option}'`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return message.includes('does not take an argument')
        ? `${option} does not take a value`
        : `${option} needs a value`;
    default:
      return 'could not read the command line';
  }
}

function usage(message: string, command?: CommandName): CliError {
  const help = command === undefined ? 'connexease-auth --help' : `connexease-auth ${command} --help`;
  return new CliError(EXIT_CODES.USAGE, message, `Run '${help}' for usage.`);
}
