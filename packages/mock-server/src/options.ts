import { randomBytes } from 'node:crypto';
import type {
  MockConfig,
  MockConfigUpdate,
  MockRequestInfo,
  MockServerOptions,
  MockUserInput,
} from './types.ts';
import { headerToken, inactiveBody, nonEmptyString, nonNegativeNumber, positiveInteger } from './validate.ts';

/** The user every mock has unless `users` says otherwise (the example of the authentication page). */
export const DEFAULT_USER: Readonly<MockUserInput> = Object.freeze({
  username: 'john.doe',
  password: 'awesomepassword',
});

const DAY_MS = 24 * 60 * 60 * 1000;

/** `MockServerOptions` with defaults applied and every value checked. */
export interface ResolvedOptions {
  host: string;
  port: number;
  users: MockUserInput[];
  accessTokens: string[];
  config: MockConfig;
  secret: string;
  clock: () => number;
  admin: boolean;
  onRequest: ((request: MockRequestInfo) => void) | undefined;
  log: ((line: string) => void) | undefined;
}

export function resolveOptions(options: MockServerOptions = {}): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('options must be an object');
  const port = options.port ?? 0;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new TypeError('port must be an integer from 0 to 65535');
  }
  if (options.users !== undefined && !Array.isArray(options.users))
    throw new TypeError('users must be an array');
  if (options.accessTokens !== undefined && !Array.isArray(options.accessTokens)) {
    throw new TypeError('accessTokens must be an array');
  }
  for (const [name, value] of Object.entries({
    clock: options.clock,
    onRequest: options.onRequest,
    log: options.log,
  })) {
    if (value !== undefined && typeof value !== 'function') throw new TypeError(`${name} must be a function`);
  }
  return {
    host: options.host === undefined ? '127.0.0.1' : nonEmptyString(options.host, 'host'),
    port,
    users: (options.users ?? [DEFAULT_USER]).map((user) => ({ ...user })),
    accessTokens: (options.accessTokens ?? []).map((token, index) =>
      headerToken(token, `accessTokens[${index}]`),
    ),
    config: applyConfigUpdate(
      {
        tokenLifetimeSeconds: 86_400,
        quota: { limit: 30, windowMs: DAY_MS },
        inactiveBody: 'empty',
        latencyMs: 0,
      },
      options,
    ),
    secret:
      options.secret === undefined
        ? randomBytes(32).toString('base64url')
        : nonEmptyString(options.secret, 'secret'),
    clock: options.clock ?? Date.now,
    admin: options.admin ?? true,
    onRequest: options.onRequest,
    log: options.log,
  };
}

/** A new config with `update` applied; throws a `TypeError` naming the first bad field. */
export function applyConfigUpdate(current: MockConfig, update: MockConfigUpdate): MockConfig {
  if (typeof update !== 'object' || update === null) throw new TypeError('config update must be an object');
  const quota = update.quota ?? {};
  if (typeof quota !== 'object' || quota === null) throw new TypeError('quota must be an object');
  return {
    tokenLifetimeSeconds:
      update.tokenLifetimeSeconds === undefined
        ? current.tokenLifetimeSeconds
        : positiveInteger(update.tokenLifetimeSeconds, 'tokenLifetimeSeconds'),
    quota: {
      limit: quota.limit === undefined ? current.quota.limit : positiveInteger(quota.limit, 'quota.limit'),
      windowMs:
        quota.windowMs === undefined
          ? current.quota.windowMs
          : positiveInteger(quota.windowMs, 'quota.windowMs'),
    },
    inactiveBody:
      update.inactiveBody === undefined
        ? current.inactiveBody
        : inactiveBody(update.inactiveBody, 'inactiveBody'),
    latencyMs:
      update.latencyMs === undefined ? current.latencyMs : nonNegativeNumber(update.latencyMs, 'latencyMs'),
  };
}
