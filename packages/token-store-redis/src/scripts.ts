import type { Cluster, Redis } from 'ioredis';
import {
  ACQUIRE_LEASE_LUA,
  CLEAR_QUOTA_LOSS_LUA,
  DISCARD_TOKEN_LUA,
  EXTEND_LEASE_LUA,
  QUOTA_USAGE_V2_LUA,
  READ_LEASE_LUA,
  RELEASE_LEASE_LUA,
  RESERVE_ISSUE_V2_LUA,
  RESTORE_QUOTA_LUA,
  WRITE_TOKEN_V2_LUA,
} from './lua.ts';

export type ScriptName =
  | 'cxkAcquireLeaseV1'
  | 'cxkExtendLeaseV1'
  | 'cxkReleaseLeaseV1'
  | 'cxkReadLeaseV1'
  | 'cxkWriteTokenV2'
  | 'cxkDiscardTokenV1'
  | 'cxkReserveV2'
  | 'cxkQuotaUsageV2'
  | 'cxkRestoreQuotaV1'
  | 'cxkClearQuotaLossV1';

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
  cxkDiscardTokenV1: { lua: DISCARD_TOKEN_LUA, numberOfKeys: 2 },
  // V1 of these two took the quota key alone: no lease check, no marker, no entries in the answer.
  cxkReserveV2: { lua: RESERVE_ISSUE_V2_LUA, numberOfKeys: 4 },
  cxkQuotaUsageV2: { lua: QUOTA_USAGE_V2_LUA, numberOfKeys: 2 },
  cxkRestoreQuotaV1: { lua: RESTORE_QUOTA_LUA, numberOfKeys: 2 },
  cxkClearQuotaLossV1: { lua: CLEAR_QUOTA_LOSS_LUA, numberOfKeys: 2 },
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
