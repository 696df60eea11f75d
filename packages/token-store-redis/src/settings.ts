import type { AuthEventListener } from '@connexease-kit/auth-core';
import { assertPositiveMs } from '@connexease-kit/auth-core/store';
import type { RedisTokenStoreClock, RedisTokenStoreLogger, RedisTokenStoreOptions } from './options.ts';
import { assertKeyPrefix, invalid } from './validate.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
const DEFAULT_POLL_INTERVAL_MS = 1000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2000;
const DEFAULT_BLOCK_SAFETY_TTL_MS = 400 * DAY_MS;
/** The fence counter outlives every lease by this much (refreshed on each grant), so fences keep growing. */
export const FENCE_RETENTION_MS: number = 30 * DAY_MS;
/** The quota marker outlives its last write by this much: as long as the fence counter. */
export const QUOTA_MARKER_RETENTION_MS: number = FENCE_RETENTION_MS;
/** Quota entries are kept at least this long, whatever window a caller uses (the API's own window). */
export const QUOTA_RETENTION_FLOOR_MS: number = DAY_MS;
/** Extra life of the quota key beyond its retention, so it never expires while an entry still counts. */
export const QUOTA_TTL_MARGIN_MS: number = 60 * 1000;

const systemClock: RedisTokenStoreClock = { now: () => Date.now() };

/** The validated options of one store. */
export interface StoreSettings {
  keyPrefix: string;
  pollIntervalMs: number;
  commandTimeoutMs: number;
  blockSafetyTtlMs: number;
  onEvent: AuthEventListener | undefined;
  logger: RedisTokenStoreLogger | undefined;
  startupChecks: boolean;
  clock: RedisTokenStoreClock;
}

/** Applies defaults and validates; throws `CONFIG_INVALID` before anything connects. */
export function settingsFrom(options: RedisTokenStoreOptions): StoreSettings {
  const settings: StoreSettings = {
    keyPrefix: options.keyPrefix ?? 'cxk',
    pollIntervalMs: options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    commandTimeoutMs: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    blockSafetyTtlMs: options.blockSafetyTtlMs ?? DEFAULT_BLOCK_SAFETY_TTL_MS,
    onEvent: options.onEvent,
    logger: options.logger,
    startupChecks: options.startupChecks ?? true,
    clock: options.clock ?? systemClock,
  };
  assertKeyPrefix(settings.keyPrefix);
  assertPositiveMs(settings.pollIntervalMs, 'pollIntervalMs');
  assertPositiveMs(settings.commandTimeoutMs, 'commandTimeoutMs');
  assertPositiveMs(settings.blockSafetyTtlMs, 'blockSafetyTtlMs');
  if (settings.onEvent !== undefined && typeof settings.onEvent !== 'function') {
    throw invalid('onEvent must be a function');
  }
  if (settings.logger !== undefined && typeof settings.logger?.warn !== 'function') {
    throw invalid('logger must have a warn(message) method');
  }
  if (typeof settings.startupChecks !== 'boolean') throw invalid('startupChecks must be true or false');
  if (typeof settings.clock?.now !== 'function') throw invalid('clock must have a now() method');
  return settings;
}
