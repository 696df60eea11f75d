import type { AccessTokenCredentials, Credentials, PasswordCredentials } from './credentials.ts';
import { ConnexeaseAuthError } from './errors.ts';
import { API_DAILY_ISSUE_LIMIT } from './quota/quota.ts';
import { protectCredentials } from './secrets.ts';
import { describeUnsafeToken } from './token/schemes.ts';
import { normalizeBaseUrl } from './url.ts';

/** What {@link readEnvConfig} found in the environment. */
export interface EnvConfig {
  /** `CONNEXEASE_BASE_URL`, normalised. */
  baseUrl?: string;
  /** From `CONNEXEASE_ACCESS_TOKEN`, or `CONNEXEASE_USERNAME` + `CONNEXEASE_PASSWORD`; protected. */
  credentials: Credentials;
  /** `CONNEXEASE_REDIS_URL` as given (it may hold a password: never log it). */
  redisUrl?: string;
  /** `CONNEXEASE_DATABASE_URL` as given, trimmed (it may hold a password: never log it). */
  databaseUrl?: string;
  /** From `CONNEXEASE_JWT_DAILY_LIMIT`. */
  quota?: { limit: number };
  /** `CONNEXEASE_STORE`. */
  store?: 'memory' | 'redis' | 'file' | 'postgres';
}

const STORE_KINDS = ['memory', 'redis', 'file', 'postgres'] as const;

/**
 * Reads and validates the `CONNEXEASE_*` variables (default: `process.env`): `CONNEXEASE_BASE_URL`,
 * `CONNEXEASE_ACCESS_TOKEN` or `CONNEXEASE_USERNAME` + `CONNEXEASE_PASSWORD`, `CONNEXEASE_REDIS_URL`,
 * `CONNEXEASE_DATABASE_URL`, `CONNEXEASE_JWT_DAILY_LIMIT` (1 to 30) and `CONNEXEASE_STORE` (`memory`,
 * `redis`, `file` or `postgres`). An empty
 * variable counts as unset. Errors name the variable and never show a secret's value.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID`.
 *
 * @example
 * const { credentials, baseUrl, redisUrl } = readEnvConfig();
 */
export function readEnvConfig(env?: Record<string, string | undefined>): EnvConfig {
  const source = env ?? processEnv();
  const read: ReadVariable = (name) => {
    const value = source[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const config: EnvConfig = { credentials: credentialsFromEnv(read) };
  const baseUrl = read('CONNEXEASE_BASE_URL');
  if (baseUrl !== undefined) config.baseUrl = normalizeBaseUrl(baseUrl, 'CONNEXEASE_BASE_URL');
  const redisUrl = urlFromEnv(
    read,
    'CONNEXEASE_REDIS_URL',
    /^rediss?:\/\/\S*$/i,
    'a redis:// or rediss:// URL',
  );
  if (redisUrl !== undefined) config.redisUrl = redisUrl;
  const databaseUrl = urlFromEnv(
    read,
    'CONNEXEASE_DATABASE_URL',
    /^postgres(ql)?:\/\/\S*$/i,
    'a postgres:// or postgresql:// URL',
  );
  if (databaseUrl !== undefined) config.databaseUrl = databaseUrl;
  const limit = dailyLimitFromEnv(read);
  if (limit !== undefined) config.quota = { limit };
  const store = storeFromEnv(read, config);
  if (store !== undefined) config.store = store;
  return config;
}

/** A variable's value, or `undefined` when it is unset or empty. */
type ReadVariable = (name: string) => string | undefined;

function credentialsFromEnv(read: ReadVariable): Credentials {
  const accessToken = read('CONNEXEASE_ACCESS_TOKEN');
  const username = read('CONNEXEASE_USERNAME');
  const password = read('CONNEXEASE_PASSWORD');
  if (accessToken !== undefined) {
    if (username !== undefined || password !== undefined) {
      throw configError(
        'set either CONNEXEASE_ACCESS_TOKEN or CONNEXEASE_USERNAME + CONNEXEASE_PASSWORD, not both',
      );
    }
    const problem = describeUnsafeToken(accessToken);
    if (problem !== null) throw configError(`CONNEXEASE_ACCESS_TOKEN ${problem}`);
    return protectCredentials<AccessTokenCredentials>({ accessToken });
  }
  if (username !== undefined || password !== undefined) {
    if (username === undefined || username.trim() === '') {
      throw configError('CONNEXEASE_USERNAME is required when CONNEXEASE_PASSWORD is set');
    }
    if (password === undefined) {
      throw configError('CONNEXEASE_PASSWORD is required when CONNEXEASE_USERNAME is set');
    }
    return protectCredentials<PasswordCredentials>({ username, password });
  }
  throw configError(
    'no Connexease credentials in the environment: set CONNEXEASE_ACCESS_TOKEN (recommended), ' +
      'or CONNEXEASE_USERNAME and CONNEXEASE_PASSWORD',
  );
}

function urlFromEnv(read: ReadVariable, name: string, pattern: RegExp, expected: string): string | undefined {
  const url = read(name)?.trim();
  if (url === undefined) return undefined;
  if (!pattern.test(url)) throw configError(`${name} must be ${expected}`);
  return url;
}

function dailyLimitFromEnv(read: ReadVariable): number | undefined {
  const text = read('CONNEXEASE_JWT_DAILY_LIMIT')?.trim();
  if (text === undefined) return undefined;
  const value = /^\d{1,3}$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= 1 && value <= API_DAILY_ISSUE_LIMIT)) {
    throw configError(
      `CONNEXEASE_JWT_DAILY_LIMIT must be an integer from 1 to ${API_DAILY_ISSUE_LIMIT} ` +
        '(the API bans an API user on the 31st token in a day)',
    );
  }
  return value;
}

function storeFromEnv(read: ReadVariable, config: EnvConfig): EnvConfig['store'] {
  const kind = read('CONNEXEASE_STORE')?.trim().toLowerCase();
  if (kind === undefined) return undefined;
  if (!(STORE_KINDS as readonly string[]).includes(kind)) {
    throw configError(`CONNEXEASE_STORE must be one of ${STORE_KINDS.join(', ')}`);
  }
  if (kind === 'redis' && config.redisUrl === undefined) {
    throw configError('CONNEXEASE_REDIS_URL is required when CONNEXEASE_STORE is redis');
  }
  if (kind === 'postgres' && config.databaseUrl === undefined) {
    throw configError('CONNEXEASE_DATABASE_URL is required when CONNEXEASE_STORE is postgres');
  }
  return kind as (typeof STORE_KINDS)[number];
}

function configError(message: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError('CONFIG_INVALID', message);
}

function processEnv(): Record<string, string | undefined> {
  const process = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return process?.env ?? {};
}
