import type { Cluster, Redis } from 'ioredis';
import {
  ACQUIRE_LEASE_LUA,
  DISCARD_TOKEN_LUA,
  EXTEND_LEASE_LUA,
  QUOTA_USAGE_LUA,
  READ_LEASE_LUA,
  RELEASE_LEASE_LUA,
  RESERVE_ISSUE_LUA,
  WRITE_TOKEN_V2_LUA,
  WRITE_TOKEN_V3_LUA,
} from './lua.ts';

export type ScriptName =
  | 'cxkAcquireLeaseV1'
  | 'cxkExtendLeaseV1'
  | 'cxkReleaseLeaseV1'
  | 'cxkReadLeaseV1'
  | 'cxkWriteTokenV2'
  | 'cxkWriteTokenV3'
  | 'cxkDiscardTokenV1'
  | 'cxkReserveV1'
  | 'cxkQuotaUsageV1';

/**
 * Every script under a versioned command name. ioredis sends `EVALSHA` and falls back to `EVAL` on
 * `NOSCRIPT` (after a failover, a restart or `SCRIPT FLUSH`), so nothing has to be loaded up front.
 */
const SCRIPTS: Record<ScriptName, { lua: string; numberOfKeys: number }> = {
  cxkAcquireLeaseV1: { lua: ACQUIRE_LEASE_LUA, numberOfKeys: 3 },
  cxkExtendLeaseV1: { lua: EXTEND_LEASE_LUA, numberOfKeys: 2 },
  cxkReleaseLeaseV1: { lua: RELEASE_LEASE_LUA, numberOfKeys: 1 },
  cxkReadLeaseV1: { lua: READ_LEASE_LUA, numberOfKeys: 2 },
  cxkWriteTokenV2: { lua: WRITE_TOKEN_V2_LUA, numberOfKeys: 4 },
  cxkWriteTokenV3: { lua: WRITE_TOKEN_V3_LUA, numberOfKeys: 4 },
  cxkDiscardTokenV1: { lua: DISCARD_TOKEN_LUA, numberOfKeys: 2 },
  cxkReserveV1: { lua: RESERVE_ISSUE_LUA, numberOfKeys: 1 },
  cxkQuotaUsageV1: { lua: QUOTA_USAGE_LUA, numberOfKeys: 1 },
};

type ScriptArgument = string | number;
type ScriptCommand = (...args: ScriptArgument[]) => Promise<unknown>;

/** Defines every script on `client` (idempotent: a second store on the same client redefines the same code). */
export function defineScripts(client: Redis | Cluster): void {
  for (const [name, definition] of Object.entries(SCRIPTS)) {
    client.defineCommand(name, definition);
  }
}

/** Runs a script defined by {@link defineScripts}. */
export function runScript(
  client: Redis | Cluster,
  name: ScriptName,
  keys: readonly string[],
  args: readonly ScriptArgument[],
): Promise<unknown> {
  const command = (client as unknown as Record<ScriptName, ScriptCommand>)[name];
  return command.call(client, ...keys, ...args);
}
