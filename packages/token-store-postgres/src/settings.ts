import type { AuthEventListener } from '@connexease-kit/auth-core';
import { assertPositiveMs } from '@connexease-kit/auth-core/store';
import type { PostgresTokenStoreLogger, PostgresTokenStoreOptions } from './options.ts';
import { type SqlNames, sqlNames } from './sql/names.ts';
import { assertSchemaName, assertTablePrefix, invalid } from './validate.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_POLL_INTERVAL_MS = 1000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2000;
const DEFAULT_SWEEP_INTERVAL_MS = 10 * 60 * 1000;
const DEFAULT_BLOCK_SAFETY_TTL_MS = 400 * DAY_MS;
const DEFAULT_MAX_CONNECTIONS = 5;

/** Quota entries are kept at least this long, whatever window a caller uses (the API's own window). */
export const QUOTA_RETENTION_FLOOR_MS: number = DAY_MS;

/** The validated options of one store. */
export interface StoreSettings {
  names: SqlNames;
  migrate: boolean;
  listenConnectionString: string | undefined;
  pollIntervalMs: number;
  commandTimeoutMs: number;
  sweepIntervalMs: number;
  blockSafetyTtlMs: number;
  maxConnections: number;
  onEvent: AuthEventListener | undefined;
  logger: PostgresTokenStoreLogger | undefined;
}

/** Applies defaults and validates; throws `CONFIG_INVALID` before anything connects. */
export function settingsFrom(options: PostgresTokenStoreOptions): StoreSettings {
  const schema = options.schema ?? 'public';
  const tablePrefix = options.tablePrefix ?? 'connexease_';
  assertSchemaName(schema);
  assertTablePrefix(tablePrefix);
  const settings: StoreSettings = {
    names: sqlNames(schema, tablePrefix),
    migrate: options.migrate ?? true,
    listenConnectionString: options.listenConnectionString,
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    sweepIntervalMs: options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS,
    blockSafetyTtlMs: options.blockSafetyTtlMs ?? DEFAULT_BLOCK_SAFETY_TTL_MS,
    maxConnections: 'connectionString' in options ? (options.maxConnections ?? DEFAULT_MAX_CONNECTIONS) : 0,
    onEvent: options.onEvent,
    logger: options.logger,
  };
  if (typeof settings.migrate !== 'boolean') throw invalid('migrate must be true or false');
  if (
    settings.listenConnectionString !== undefined &&
    (typeof settings.listenConnectionString !== 'string' || settings.listenConnectionString === '')
  ) {
    throw invalid('listenConnectionString must be a non-empty postgres:// URL');
  }
  assertPositiveMs(settings.pollIntervalMs, 'pollIntervalMs');
  assertPositiveMs(settings.commandTimeoutMs, 'commandTimeoutMs');
  assertPositiveMs(settings.sweepIntervalMs, 'sweepIntervalMs');
  assertPositiveMs(settings.blockSafetyTtlMs, 'blockSafetyTtlMs');
  if (
    'connectionString' in options &&
    !(Number.isSafeInteger(settings.maxConnections) && settings.maxConnections >= 1)
  ) {
    throw invalid('maxConnections must be a positive integer');
  }
  if (settings.onEvent !== undefined && typeof settings.onEvent !== 'function') {
    throw invalid('onEvent must be a function');
  }
  if (settings.logger !== undefined && typeof settings.logger?.warn !== 'function') {
    throw invalid('logger must have a warn(message) method');
  }
  return settings;
}
