import type { RedisKeyKind } from './options.ts';

/** Every key and the wake-up channel of one namespace. */
export interface RedisNamespaceKeys {
  token: string;
  lease: string;
  fence: string;
  quota: string;
  /** The quota marker (epoch and newest entry) that tells an intact quota from a lost one. */
  epoch: string;
  block: string;
  /** Pub/sub channel that `writeToken` and `discardToken` publish on. */
  channel: string;
}

/** The key kinds in a stable order (for `inspectTtls`). */
export const KEY_KINDS: readonly RedisKeyKind[] = ['token', 'lease', 'fence', 'quota', 'epoch', 'block'];

/**
 * The key layout of a namespace: `<prefix>:{<ns>}:<kind>`. The braces make `ns` the Cluster hash tag,
 * so every key (and the sharded channel) of a namespace lives on one slot and one script may touch
 * them all.
 */
export function redisTokenStoreKeys(ns: string, keyPrefix = 'cxk'): RedisNamespaceKeys {
  const base = `${keyPrefix}:{${ns}}`;
  return {
    token: `${base}:token`,
    lease: `${base}:lease`,
    fence: `${base}:fence`,
    quota: `${base}:quota`,
    epoch: `${base}:epoch`,
    block: `${base}:block`,
    channel: `${base}:changed`,
  };
}
