import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import {
  API_DAILY_ISSUE_LIMIT,
  DEFAULT_QUOTA,
  DEFAULT_REFRESH_BEFORE_EXPIRY_MS,
} from '@connexease-kit/auth-core/store';
import { DEFAULT_BASE_URL, normalizeBaseUrl } from '@connexease-kit/auth-core/transport';
import type { CommandLine } from './args.ts';

/** Which shared store to open. */
export type StoreChoice =
  | { kind: 'redis'; url: string }
  | { kind: 'postgres'; url: string }
  /** `directory` undefined: the file store's default directory. */
  | { kind: 'file'; directory: string | undefined };

/** Everything a command needs besides the password, from flags first, then `CONNEXEASE_*` variables. */
export interface Settings {
  store: StoreChoice;
  /** Normalised, exactly as the token provider normalises it (it is part of the namespace). */
  baseUrl: string;
  username: string;
  quota: { limit: number; windowMs: number };
  refreshBeforeExpiryMs: number;
}

const DAY_MS = 86_400_000;

/**
 * Resolves the store, the namespace inputs and the quota from the command line and the environment
 * (flags win). Empty variables count as unset, as in `readEnvConfig`.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` (exit 1) naming the flag or variable to fix, never repeating a URL or secret.
 */
export function resolveSettings(line: CommandLine, env: Record<string, string | undefined>): Settings {
  const read = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? undefined : value;
  };

  const username = line.username ?? read('CONNEXEASE_USERNAME');
  if (username === undefined || username.trim() === '') {
    const bearerHint =
      read('CONNEXEASE_ACCESS_TOKEN') === undefined
        ? ''
        : ' (an Account Access Token is never stored, so there is nothing to inspect for it)';
    throw configError(
      `no API user: pass --username NAME or set CONNEXEASE_USERNAME to the user your services log in with${bearerHint}`,
    );
  }

  const baseUrlFlag = line.baseUrl;
  const baseUrl =
    baseUrlFlag !== undefined
      ? normalizeBaseUrl(baseUrlFlag, '--base-url')
      : normalizeBaseUrl(read('CONNEXEASE_BASE_URL') ?? DEFAULT_BASE_URL, 'CONNEXEASE_BASE_URL');

  const limitText = line.limit ?? read('CONNEXEASE_JWT_DAILY_LIMIT');
  const limitName = line.limit === undefined ? 'CONNEXEASE_JWT_DAILY_LIMIT' : '--limit';
  const limit =
    limitText === undefined
      ? DEFAULT_QUOTA.limit
      : integerIn(
          limitName,
          limitText,
          1,
          API_DAILY_ISSUE_LIMIT,
          ' (the API bans an API user on the 31st token in a day)',
        );
  const windowMs =
    line.windowMs === undefined
      ? DEFAULT_QUOTA.windowMs
      : integerIn('--window-ms', line.windowMs, 1, 31 * DAY_MS, ' (86400000 is 24 hours)');
  const refreshBeforeExpiryMs =
    line.refreshBeforeMs === undefined
      ? DEFAULT_REFRESH_BEFORE_EXPIRY_MS
      : integerIn('--refresh-before-ms', line.refreshBeforeMs, 0, DAY_MS, ' (1800000 is 30 minutes)');

  return {
    store: chooseStore(line, read),
    baseUrl,
    username,
    quota: { limit, windowMs },
    refreshBeforeExpiryMs,
  };
}

function chooseStore(line: CommandLine, read: (name: string) => string | undefined): StoreChoice {
  const flags = [
    line.redis === undefined ? undefined : '--redis',
    line.postgres === undefined ? undefined : '--postgres',
    line.file === undefined ? undefined : '--file',
  ].filter((flag) => flag !== undefined);
  if (flags.length > 1)
    throw configError(`pass one of --redis, --postgres or --file, not ${flags.join(' and ')}`);
  if (line.redis !== undefined) return { kind: 'redis', url: redisUrl(line.redis, '--redis') };
  if (line.postgres !== undefined) return { kind: 'postgres', url: postgresUrl(line.postgres, '--postgres') };
  if (line.file !== undefined) return { kind: 'file', directory: line.file === '' ? undefined : line.file };

  const kind = read('CONNEXEASE_STORE')?.trim().toLowerCase();
  const url = read('CONNEXEASE_REDIS_URL');
  const databaseUrl = read('CONNEXEASE_DATABASE_URL');
  switch (kind) {
    case 'postgres':
      if (databaseUrl === undefined)
        throw configError('CONNEXEASE_DATABASE_URL is required when CONNEXEASE_STORE is postgres');
      return { kind: 'postgres', url: postgresUrl(databaseUrl, 'CONNEXEASE_DATABASE_URL') };
    case 'file':
      return { kind: 'file', directory: undefined };
    case 'redis':
      if (url === undefined)
        throw configError('CONNEXEASE_REDIS_URL is required when CONNEXEASE_STORE is redis');
      return { kind: 'redis', url: redisUrl(url, 'CONNEXEASE_REDIS_URL') };
    case 'memory':
      throw configError(
        'CONNEXEASE_STORE is memory, which lives inside one process: the CLI can only read a shared store; pass --redis URL, --postgres URL or --file [DIR]',
      );
    case undefined:
      if (url !== undefined && databaseUrl !== undefined) {
        throw configError(
          'CONNEXEASE_REDIS_URL and CONNEXEASE_DATABASE_URL are both set: set CONNEXEASE_STORE to redis or postgres',
        );
      }
      if (url !== undefined) return { kind: 'redis', url: redisUrl(url, 'CONNEXEASE_REDIS_URL') };
      if (databaseUrl !== undefined) {
        return { kind: 'postgres', url: postgresUrl(databaseUrl, 'CONNEXEASE_DATABASE_URL') };
      }
      throw configError(
        'no store: pass --redis URL, --postgres URL or --file [DIR], or set CONNEXEASE_REDIS_URL, CONNEXEASE_DATABASE_URL or CONNEXEASE_STORE=file (the store your services use)',
      );
    default:
      throw configError('CONNEXEASE_STORE must be redis, postgres or file for the CLI');
  }
}

function redisUrl(value: string, name: string): string {
  const url = value.trim();
  if (!/^rediss?:\/\/\S+$/i.test(url)) throw configError(`${name} must be a redis:// or rediss:// URL`);
  return url;
}

function postgresUrl(value: string, name: string): string {
  const url = value.trim();
  if (!/^postgres(ql)?:\/\/\S+$/i.test(url)) {
    throw configError(`${name} must be a postgres:// or postgresql:// URL`);
  }
  return url;
}

function integerIn(name: string, text: string, min: number, max: number, why = ''): number {
  const trimmed = text.trim();
  const value = /^\d{1,10}$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!(value >= min && value <= max)) {
    throw configError(`${name} must be an integer from ${min} to ${max}${why}`);
  }
  return value;
}

function configError(message: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError('CONFIG_INVALID', message);
}
