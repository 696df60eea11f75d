import type { CommandName } from './args.ts';

const STORE_AND_IDENTITY = `Store (the one your services use; pick one)
  --redis URL              Redis store, redis:// or rediss:// (env CONNEXEASE_REDIS_URL)
  --postgres URL           PostgreSQL store, postgres:// (env CONNEXEASE_STORE=postgres and
                           CONNEXEASE_DATABASE_URL)
  --file [DIR]             file store in DIR (env CONNEXEASE_STORE=file); default
                           $XDG_CACHE_HOME/connexease-kit, else ~/.cache/connexease-kit

API user (together they name the namespace the services share)
  --base-url URL           API base URL (env CONNEXEASE_BASE_URL; default https://api.connexease.com)
  --username NAME          API user (env CONNEXEASE_USERNAME)`;

const QUOTA = `Quota (use your services' settings)
  --limit N                issues per window, 1 to 30 (env CONNEXEASE_JWT_DAILY_LIMIT; default 25)
  --window-ms MS           window length in ms (default 86400000, 24 h)
  --refresh-before-ms MS   refresh this long before expiry (default 1800000, 30 min)`;

const GENERAL = `General
  --debug                  print stack traces of unexpected errors
  -h, --help               show help
  -v, --version            show the version`;

const PASSWORD = `The password is never taken from the command line (other users can read it in the process
list): set CONNEXEASE_PASSWORD, or type it when asked (in a terminal, without echo).`;

const EXIT_CODES_TEXT = `Exit codes
  0 ok   1 usage or configuration   2 store unavailable   3 blocked   4 quota exhausted
  5 credentials or request refused by POST /jwt/   6 token endpoint unavailable
  7 no cached token (token --no-issue)   70 unexpected error   130 interrupted`;

const PROGRAM_HELP = `connexease-auth: inspect and operate the token store a Connexease fleet shares

Usage
  connexease-auth <command> [options]

Commands
  status     quota used and left, cached token expiry, lease holder and block of one API user
  unblock    clear a block after Connexease support has reactivated the API user
  token      print an Authorization header value from the shared cache (for a one-off curl)
  forget-loss  free a quota the store lost, when you know no token was requested meanwhile

${STORE_AND_IDENTITY}

${QUOTA}

${GENERAL}

${PASSWORD}

${EXIT_CODES_TEXT}

Run 'connexease-auth <command> --help' for a command's own options.
`;

const COMMAND_HELP: Record<CommandName, string> = {
  status: `connexease-auth status: what the fleet's store holds for one API user

Usage
  connexease-auth status [options]

Shows the issue quota (used and remaining, and when each reservation frees its slot), the cached
token's expiry and refresh point (never the token), the lease holder (fence, expiry) and any block
(code, reason, age, until). Reads only; issues nothing.

Options
  --json                   machine-readable output (a stable shape, see the README)
  --check-password         ask for the password (if CONNEXEASE_PASSWORD is not set) to tell whether
                           a 401 block applies to it

${STORE_AND_IDENTITY}

${QUOTA}

${GENERAL}

Exit codes
  0 healthy   3 a block applies   4 quota exhausted   1 usage   2 store unavailable
`,
  unblock: `connexease-auth unblock: clear the shared block of one API user

Usage
  connexease-auth unblock [--yes] [options]

After a 403 (banned or inactive) the fleet stops asking for tokens until the block is cleared. Clear
it only after Connexease support has reactivated the API user. Asks for confirmation in a terminal;
elsewhere --yes is required. Prints what it cleared.

Options
  -y, --yes                clear without asking

${STORE_AND_IDENTITY}

${GENERAL}

Exit codes
  0 cleared, or nothing to clear   1 usage or not confirmed   2 store unavailable
`,
  'forget-loss': `connexease-auth forget-loss: free a quota record the store lost

Usage
  connexease-auth forget-loss [--yes] [options]

When the store loses its record of past POST /jwt/ attempts (Redis evicted or lost the quota key,
the file store found its file unreadable) and no running service remembered them, the fleet counts
that past as spent for a whole window rather than risk the API's ban. If you know no token was
requested for this API user in that window (a new user, a test environment), this frees it. Asks
for confirmation in a terminal; elsewhere --yes is required. Prints what it freed.

Options
  -y, --yes                free it without asking

${STORE_AND_IDENTITY}

${QUOTA}

${GENERAL}

Exit codes
  0 freed, or nothing lost   1 usage or not confirmed   2 store unavailable
`,
  token: `connexease-auth token: print an Authorization header value for a one-off request

Usage
  curl -H "Authorization: $(connexease-auth token)" https://api.connexease.com/some/endpoint/

Prints 'JWT <token>' on standard output, and nothing else there. Uses the token the fleet has cached;
only if none is cached does it issue one (with the password, within the quota, under the fleet's
lease, exactly like a service would).

Options
  --no-issue               never issue: fail (exit 7) if no token is cached
  -q, --quiet              no messages on standard error unless something fails

${STORE_AND_IDENTITY}

${QUOTA}

${GENERAL}

${PASSWORD}

Exit codes
  0 printed   1 usage   2 store unavailable   3 blocked   4 quota exhausted   5 refused by POST /jwt/
  6 token endpoint unavailable   7 nothing cached with --no-issue
`,
};

/** The help text of the program, or of one command. */
export function helpText(command: CommandName | undefined): string {
  return command === undefined ? PROGRAM_HELP : COMMAND_HELP[command];
}
