import { parseArgs } from 'node:util';
import type { MockServerOptions, MockUserInput } from './types.ts';

/** `connexease-mock --help`. */
export const CLI_USAGE: string = `Usage: connexease-mock [options]

Starts a fake Connexease API (POST /jwt/, quota bans, protected endpoints, /__mock__/ admin routes)
and prints its URL. Stops on SIGINT or SIGTERM.

Options:
  --port <n>              Port to listen on (default: a free port)
  --host <host>           Address to bind (default: 127.0.0.1)
  --user <name:password>  An API user; repeat for more (default: john.doe:awesomepassword)
  --access-token <token>  A valid Bearer Account Access Token; repeatable
  --token-lifetime <s>    JWT lifetime in seconds (default: 86400)
  --quota-limit <n>       Issues per user per window before the ban (default: 30)
  --quota-window-ms <ms>  Quota window in ms (default: 86400000)
  --latency-ms <ms>       Delay before every /jwt/ and API response (default: 0)
  --secret <secret>       HS256 signing key (default: random)
  --no-admin              Do not serve the /__mock__/ admin routes
  --log                   Print one line per response to stderr (never passwords or tokens)
  -h, --help              Show this help
`;

/** What the command line asks for. */
export interface CliRequest {
  help: boolean;
  log: boolean;
  options: MockServerOptions;
}

/** Parses `connexease-mock` arguments; throws a `TypeError` with a usage hint for bad ones. */
export function parseCliArgs(argv: string[]): CliRequest {
  let values: ReturnType<typeof parse>['values'];
  try {
    ({ values } = parse(argv));
  } catch (error) {
    throw new TypeError((error as Error).message);
  }
  const options: MockServerOptions = {};
  if (values.port !== undefined) options.port = integer(values.port, '--port');
  if (values.host !== undefined) options.host = values.host;
  if (values.user) options.users = values.user.map(parseUser);
  if (values['access-token']) options.accessTokens = values['access-token'];
  if (values['token-lifetime'] !== undefined) {
    options.tokenLifetimeSeconds = integer(values['token-lifetime'], '--token-lifetime');
  }
  if (values['quota-limit'] !== undefined || values['quota-window-ms'] !== undefined) {
    options.quota = {};
    if (values['quota-limit'] !== undefined)
      options.quota.limit = integer(values['quota-limit'], '--quota-limit');
    if (values['quota-window-ms'] !== undefined) {
      options.quota.windowMs = integer(values['quota-window-ms'], '--quota-window-ms');
    }
  }
  if (values['latency-ms'] !== undefined) options.latencyMs = integer(values['latency-ms'], '--latency-ms');
  if (values.secret !== undefined) options.secret = values.secret;
  if (values['no-admin']) options.admin = false;
  return { help: values.help ?? false, log: values.log ?? false, options };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      user: { type: 'string', multiple: true },
      'access-token': { type: 'string', multiple: true },
      'token-lifetime': { type: 'string' },
      'quota-limit': { type: 'string' },
      'quota-window-ms': { type: 'string' },
      'latency-ms': { type: 'string' },
      secret: { type: 'string' },
      'no-admin': { type: 'boolean' },
      log: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

/** `name:password`; the password is everything after the first colon, so it may contain colons. */
function parseUser(value: string): MockUserInput {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) {
    throw new TypeError('--user must look like name:password');
  }
  return { username: value.slice(0, colon), password: value.slice(colon + 1) };
}

function integer(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new TypeError(`${flag} must be a whole number`);
  return Number(value);
}
