import { systemClock } from './clock.ts';
import type { AccessTokenCredentials, AuthMode, Credentials, PasswordCredentials } from './credentials.ts';
import type { AuthEventListener } from './diagnostics/events.ts';
import { ConnexeaseAuthError } from './errors.ts';
import type { JwtIssuer } from './issuer/issuer.ts';
import type { Clock, TokenProviderOptions } from './provider/provider-types.ts';
import { resolveQuotaOptions } from './quota/quota.ts';
import { protectCredentials } from './secrets.ts';
import type { TokenStore } from './store/contract.ts';
import { TOKEN_STORE_METHODS } from './store/store-records.ts';
import { DEFAULT_REFRESH_BEFORE_EXPIRY_MS, TOKEN_LIFETIME_MS } from './token/expiry.ts';
import { describeUnsafeToken } from './token/schemes.ts';
import { DEFAULT_BASE_URL, normalizeBaseUrl } from './url.ts';

/** Re-exported here because the provider's options default to it. */
export { systemClock };

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Defaults of {@link resolveProviderOptions}. */
export const PROVIDER_DEFAULTS: {
  readonly refreshBeforeExpiryMs: number;
  readonly invalidCredentialsBlockMs: number;
  readonly leaseTtlMs: number;
  readonly waitTimeoutMs: number;
  readonly pollIntervalMs: number;
  readonly storeCheckIntervalMs: number;
  readonly retry: { readonly attempts: number; readonly baseDelayMs: number; readonly maxDelayMs: number };
  readonly quotaLowRatio: number;
  readonly issueTimeoutMs: number;
  readonly unauthorizedRefreshIntervalMs: number;
} = Object.freeze({
  refreshBeforeExpiryMs: DEFAULT_REFRESH_BEFORE_EXPIRY_MS,
  invalidCredentialsBlockMs: HOUR,
  leaseTtlMs: 30 * SECOND,
  waitTimeoutMs: 60 * SECOND,
  pollIntervalMs: SECOND,
  storeCheckIntervalMs: 30 * SECOND,
  retry: Object.freeze({ attempts: 3, baseDelayMs: 500, maxDelayMs: 10 * SECOND }),
  quotaLowRatio: 0.2,
  issueTimeoutMs: 30 * SECOND,
  unauthorizedRefreshIntervalMs: MINUTE,
});

/**
 * Every option of {@link TokenProviderOptions}, checked by the compiler both ways: an option added to
 * the type and not here (or here and not in the type) fails to compile, so the unknown-option warning
 * never drifts from the type.
 */
const OPTION_REGISTRY: { readonly [K in keyof TokenProviderOptions]-?: true } = {
  credentials: true,
  baseUrl: true,
  issuer: true,
  store: true,
  quota: true,
  refreshBeforeExpiryMs: true,
  invalidCredentialsBlockMs: true,
  leaseTtlMs: true,
  waitTimeoutMs: true,
  pollIntervalMs: true,
  storeCheckIntervalMs: true,
  retry: true,
  quotaLowRatio: true,
  issueTimeoutMs: true,
  unauthorizedRefreshIntervalMs: true,
  onEvent: true,
  clock: true,
  random: true,
};

const KNOWN_OPTIONS: ReadonlySet<string> = new Set(Object.keys(OPTION_REGISTRY));

/** Options an earlier version had, with what replaced them: named in a warning, then ignored. */
const RETIRED_OPTIONS: Readonly<Record<string, string>> = {
  rejectedTokenMinAgeMs:
    'option "rejectedTokenMinAgeMs" is ignored: the first 401 for a token now refreshes once whatever its age, ' +
    'and unauthorizedRefreshIntervalMs spaces further 401-driven refreshes',
};

/**
 * Checks credentials locally, before anything is sent: exactly one of `{ accessToken }` or
 * `{ username, password }`; the username must not be empty or blank, the password not empty, an access
 * token must be header-safe. Returns a protected copy ({@link protectCredentials}). Messages name the
 * field, never its value.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID`.
 */
export function validateCredentials(credentials: unknown): Credentials {
  const shape = 'pass { accessToken } (recommended) or { username, password }';
  if (typeof credentials !== 'object' || credentials === null || Array.isArray(credentials)) {
    throw configError(`credentials are required: ${shape}`);
  }
  const source = credentials as Record<string, unknown>;
  const hasToken = source.accessToken !== undefined;
  const hasPassword = source.username !== undefined || source.password !== undefined;
  if (hasToken && hasPassword) {
    throw configError(`credentials must have either accessToken or username + password, not both: ${shape}`);
  }
  if (hasToken) {
    const problem = describeUnsafeToken(source.accessToken);
    if (problem !== null) throw configError(`credentials.accessToken ${problem}`);
    return protectCredentials<AccessTokenCredentials>({ accessToken: source.accessToken as string });
  }
  if (!hasPassword) throw configError(`credentials are empty: ${shape}`);
  const { username, password } = source;
  if (typeof username !== 'string' || username.trim() === '') {
    throw configError('credentials.username is required (a non-empty string)');
  }
  if (typeof password !== 'string' || password === '') {
    throw configError('credentials.password is required (a non-empty string)');
  }
  return protectCredentials<PasswordCredentials>({ username, password });
}

/** {@link TokenProviderOptions} after defaults and validation. */
export interface ResolvedProviderOptions {
  /** A protected copy of the credentials. */
  credentials: Credentials;
  /** `'bearer'` for `{ accessToken }`, `'jwt'` for `{ username, password }`. */
  mode: AuthMode;
  /** Normalised: no trailing slash. */
  baseUrl: string;
  /** Always set when `mode` is `'jwt'`. */
  issuer: JwtIssuer | undefined;
  /** Always set when `mode` is `'jwt'`. */
  store: TokenStore | undefined;
  quota: { limit: number; windowMs: number };
  refreshBeforeExpiryMs: number;
  invalidCredentialsBlockMs: number;
  leaseTtlMs: number;
  waitTimeoutMs: number;
  pollIntervalMs: number;
  storeCheckIntervalMs: number;
  retry: { attempts: number; baseDelayMs: number; maxDelayMs: number };
  quotaLowRatio: number;
  issueTimeoutMs: number;
  unauthorizedRefreshIntervalMs: number;
  onEvent: AuthEventListener | undefined;
  clock: Clock;
  random: () => number;
  /** Settings that are legal but risky (a short quota window) or ignored (unknown option names). */
  warnings: string[];
}

/**
 * Applies the defaults and validates every option, so the provider can trust them. Defaults: base URL
 * `https://api.connexease.com`, quota 25 per 24 h, refresh 30 min before expiry, 401 block 1 h,
 * lease 30 s, wait 60 s, poll 1 s, store check every 30 s, 3 attempts with 500 ms to 10 s backoff, `quota-low` at 20 % left,
 * the system clock and `Math.random`. An issuer and a store are required for `{ username, password }`.
 *
 * Ranges (integers, milliseconds): `refreshBeforeExpiryMs` 0 to 24 h; `invalidCredentialsBlockMs`
 * 1 to 30 days; `leaseTtlMs` 1 to 10 min; `waitTimeoutMs` 1 to 1 h; `pollIntervalMs` 1 to 1 min and at
 * most `waitTimeoutMs`; `issueTimeoutMs` 1 to 10 min; `unauthorizedRefreshIntervalMs` 1 to 1 h; `retry.attempts`
 * 1 to 10; `retry.baseDelayMs` 0 to 1 min; `retry.maxDelayMs` from `baseDelayMs` to 10 min;
 * `quotaLowRatio` a number from 0 to 1.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` naming the option and what to fix.
 */
export function resolveProviderOptions(options: TokenProviderOptions): ResolvedProviderOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw configError('options must be an object with at least { credentials }');
  }
  const credentials = validateCredentials(options.credentials);
  const mode: AuthMode = 'accessToken' in credentials ? 'bearer' : 'jwt';
  const baseUrl = normalizeBaseUrl(
    options.baseUrl === undefined ? DEFAULT_BASE_URL : options.baseUrl,
    'baseUrl',
  );
  const quota = resolveQuotaOptions(options.quota);
  const warnings = [...quota.warnings, ...unknownOptionWarnings(options)];
  const { issuer, store } = resolveIssuerAndStore(options, mode);

  const retry = resolveRetry(options.retry);
  const waitTimeoutMs = msOption(options, 'waitTimeoutMs');
  const { onEvent, clock, random } = resolveHooks(options);
  const quotaLowRatio = resolveQuotaLowRatio(options.quotaLowRatio);

  return {
    credentials,
    mode,
    baseUrl,
    issuer,
    store,
    quota: { limit: quota.limit, windowMs: quota.windowMs },
    refreshBeforeExpiryMs: msOption(options, 'refreshBeforeExpiryMs'),
    invalidCredentialsBlockMs: msOption(options, 'invalidCredentialsBlockMs'),
    leaseTtlMs: msOption(options, 'leaseTtlMs'),
    waitTimeoutMs,
    // A poll slice longer than the whole wait would never run.
    pollIntervalMs: msOption(options, 'pollIntervalMs', waitTimeoutMs),
    storeCheckIntervalMs: msOption(options, 'storeCheckIntervalMs'),
    retry,
    quotaLowRatio,
    issueTimeoutMs: msOption(options, 'issueTimeoutMs'),
    unauthorizedRefreshIntervalMs: msOption(options, 'unauthorizedRefreshIntervalMs'),
    onEvent,
    clock,
    random,
    warnings,
  };
}

function unknownOptionWarnings(options: TokenProviderOptions): string[] {
  const warnings: string[] = [];
  for (const key of Object.keys(options)) {
    if (key in RETIRED_OPTIONS) warnings.push(RETIRED_OPTIONS[key]!);
    else if (!KNOWN_OPTIONS.has(key)) warnings.push(`unknown option "${key}" is ignored`);
  }
  return warnings;
}

function resolveIssuerAndStore(
  options: TokenProviderOptions,
  mode: AuthMode,
): Pick<ResolvedProviderOptions, 'issuer' | 'store'> {
  const issuer = options.issuer;
  if (issuer !== undefined && typeof issuer !== 'function') {
    throw configError('issuer must be a function that makes one POST /jwt/ attempt (see createJwtIssuer)');
  }
  const store = options.store;
  if (store !== undefined) checkStore(store);
  if (mode === 'jwt') {
    if (issuer === undefined) {
      throw configError('issuer is required with { username, password } credentials (see createJwtIssuer)');
    }
    if (store === undefined) {
      throw configError(
        'store is required with { username, password } credentials: use createMemoryTokenStore() for one process, ' +
          'createRedisTokenStore() for a fleet',
      );
    }
  }
  return { issuer, store };
}

/** The options given in milliseconds, each checked as an integer against its range here. */
type MsOption =
  | 'refreshBeforeExpiryMs'
  | 'invalidCredentialsBlockMs'
  | 'leaseTtlMs'
  | 'waitTimeoutMs'
  | 'pollIntervalMs'
  | 'storeCheckIntervalMs'
  | 'issueTimeoutMs'
  | 'unauthorizedRefreshIntervalMs';

/** The one table of ranges: `[min, max]`, inclusive. */
const MS_RANGES: { readonly [K in MsOption]: readonly [min: number, max: number] } = {
  refreshBeforeExpiryMs: [0, TOKEN_LIFETIME_MS],
  invalidCredentialsBlockMs: [1, 30 * DAY],
  leaseTtlMs: [1, 10 * MINUTE],
  waitTimeoutMs: [1, HOUR],
  pollIntervalMs: [1, MINUTE],
  storeCheckIntervalMs: [100, DAY],
  issueTimeoutMs: [1, 10 * MINUTE],
  unauthorizedRefreshIntervalMs: [1, HOUR],
};

/** The ranges of `retry`: `maxDelayMs` is also at least the `baseDelayMs` given. */
const RETRY_RANGES = {
  attempts: [1, 10],
  baseDelayMs: [0, MINUTE],
  maxDelayMs: [0, 10 * MINUTE],
} as const;

/** A millisecond option, its default and its range from {@link MS_RANGES} (`cap` lowers the maximum). */
function msOption(options: TokenProviderOptions, key: MsOption, cap = Number.POSITIVE_INFINITY): number {
  const [min, max] = MS_RANGES[key];
  return integerOption(key, options[key], PROVIDER_DEFAULTS[key], min, Math.min(max, cap));
}

function resolveRetry(given: TokenProviderOptions['retry']): ResolvedProviderOptions['retry'] {
  const retryOptions = given === undefined ? {} : given;
  if (typeof retryOptions !== 'object' || retryOptions === null || Array.isArray(retryOptions)) {
    throw configError('retry must be an object like { attempts: 3, baseDelayMs: 500, maxDelayMs: 10000 }');
  }
  const defaults = PROVIDER_DEFAULTS.retry;
  const [baseMin, baseMax] = RETRY_RANGES.baseDelayMs;
  const baseDelayMs = integerOption(
    'retry.baseDelayMs',
    retryOptions.baseDelayMs,
    defaults.baseDelayMs,
    baseMin,
    baseMax,
  );
  const [attemptsMin, attemptsMax] = RETRY_RANGES.attempts;
  const attempts = integerOption(
    'retry.attempts',
    retryOptions.attempts,
    defaults.attempts,
    attemptsMin,
    attemptsMax,
    'attempts',
  );
  const maxDelayMs = integerOption(
    'retry.maxDelayMs',
    retryOptions.maxDelayMs,
    defaults.maxDelayMs,
    Math.max(RETRY_RANGES.maxDelayMs[0], baseDelayMs),
    RETRY_RANGES.maxDelayMs[1],
  );
  return { attempts, baseDelayMs, maxDelayMs };
}

/** The functions a caller may inject: the event listener, the clock and the random source. */
function resolveHooks(
  options: TokenProviderOptions,
): Pick<ResolvedProviderOptions, 'onEvent' | 'clock' | 'random'> {
  const onEvent = options.onEvent;
  if (onEvent !== undefined && typeof onEvent !== 'function') throw configError('onEvent must be a function');
  const clock = options.clock === undefined ? systemClock : options.clock;
  if (
    typeof clock !== 'object' ||
    clock === null ||
    typeof clock.now !== 'function' ||
    typeof clock.sleep !== 'function'
  ) {
    throw configError('clock must be an object with now() and sleep(ms, signal) functions');
  }
  const random = options.random === undefined ? Math.random : options.random;
  if (typeof random !== 'function')
    throw configError('random must be a function returning a number in [0, 1)');
  return { onEvent, clock, random };
}

function resolveQuotaLowRatio(given: unknown): number {
  const quotaLowRatio = given === undefined ? PROVIDER_DEFAULTS.quotaLowRatio : given;
  if (typeof quotaLowRatio !== 'number' || !(quotaLowRatio >= 0 && quotaLowRatio <= 1)) {
    throw configError(`quotaLowRatio must be a number from 0 to 1 (got ${describe(quotaLowRatio)})`);
  }
  return quotaLowRatio;
}

function checkStore(store: unknown): void {
  if (typeof store !== 'object' || store === null) {
    throw configError(
      'store must be a TokenStore such as createMemoryTokenStore() or createRedisTokenStore()',
    );
  }
  const missing = TOKEN_STORE_METHODS.filter(
    (method) => typeof (store as Record<string, unknown>)[method] !== 'function',
  );
  if (missing.length > 0) {
    throw configError(
      `store is not a TokenStore: it lacks ${missing.map((method) => `${method}()`).join(', ')}`,
    );
  }
}

function integerOption(
  name: string,
  value: unknown,
  fallback: number,
  min: number,
  max: number,
  unit = 'milliseconds',
): number {
  const resolved = value === undefined ? fallback : value;
  if (typeof resolved !== 'number' || !Number.isInteger(resolved) || resolved < min || resolved > max) {
    throw configError(
      `${name} must be an integer number of ${unit} from ${min} to ${max} (got ${describe(resolved)})`,
    );
  }
  return resolved;
}

function describe(value: unknown): string {
  return typeof value === 'number' ? String(value) : typeof value;
}

function configError(message: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError('CONFIG_INVALID', message);
}
