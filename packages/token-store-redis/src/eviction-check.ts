import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connection.ts';
import type { StoreSettings } from './settings.ts';
import { debugLine, reportWarning, runOnceReady } from './startup-check.ts';
import { safeMessage } from './store-error.ts';

/**
 * Policies under which Redis may delete our keys when memory runs out. `volatile-*` counts too: every
 * key of this store has a TTL, so every key is a candidate.
 */
export function mayEvictOurKeys(policy: string): boolean {
  return policy.startsWith('allkeys-') || policy.startsWith('volatile-');
}

export function evictionWarning(policy: string): string {
  return (
    `Redis maxmemory-policy is "${policy}": when Redis reaches maxmemory it may evict connexease-kit keys. ` +
    'An evicted quota key forgets the JWTs already issued, so the fleet can exceed the API limit of 30 per ' +
    'day and get the API user banned; an evicted lease lets two replicas issue at the same time. ' +
    'Set maxmemory-policy to noeviction (or give connexease-kit a Redis of its own that uses it).'
  );
}

/** `CONFIG GET` answers a flat array (RESP2, RESP3 "legacy" mapping) or an object (RESP3 "resp3" mapping). */
function policyFromReply(reply: unknown): string | undefined {
  if (Array.isArray(reply)) {
    const value: unknown = reply[1];
    return typeof value === 'string' ? value : undefined;
  }
  if (typeof reply === 'object' && reply !== null) {
    const value: unknown = (reply as Record<string, unknown>)['maxmemory-policy'];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

async function readPolicy(node: Redis): Promise<string | undefined> {
  return policyFromReply(await node.config('GET', 'maxmemory-policy'));
}

/** The outcome of the start-up check. */
export type EvictionCheckReport =
  | { status: 'evicting'; policy: string }
  | { status: 'safe'; policy: string }
  /** CONFIG disabled (managed Redis), no connection, or an unreadable answer. */
  | { status: 'skipped'; reason: string };

/** Reads `maxmemory-policy` from the server (every master of a Cluster). Never throws. */
export async function checkEvictionPolicy(client: RedisClient): Promise<EvictionCheckReport> {
  try {
    const nodes = isCluster(client) ? client.nodes('master') : [client];
    const policies = await Promise.all(nodes.map(readPolicy));
    const evicting = policies.find((policy) => policy !== undefined && mayEvictOurKeys(policy));
    if (evicting !== undefined) return { status: 'evicting', policy: evicting };
    const known = policies.filter((policy): policy is string => policy !== undefined);
    if (known.length === 0 || known.length < policies.length) {
      return { status: 'skipped', reason: 'CONFIG GET maxmemory-policy gave no answer' };
    }
    return { status: 'safe', policy: [...new Set(known)].join(', ') };
  } catch (error) {
    return { status: 'skipped', reason: safeMessage(error) };
  }
}

/**
 * Runs the check once, as soon as `client` is ready, off every caller's path: one warning if Redis may
 * evict our keys, a debug line otherwise. Never fails anything. Returns a cancel function for `close()`.
 */
export function startEvictionCheck(client: RedisClient, settings: StoreSettings): () => void {
  return runOnceReady(client, settings, 'CONFIG GET maxmemory-policy', async () => {
    const outcome = await checkEvictionPolicy(client);
    return () => {
      if (outcome.status === 'evicting') {
        reportWarning(settings, evictionWarning(outcome.policy), 'CONNEXEASE_REDIS_EVICTION');
      } else if (outcome.status === 'safe') {
        debugLine(settings, `maxmemory-policy is ${outcome.policy}: keys are never evicted`);
      } else {
        debugLine(settings, `could not read maxmemory-policy (${outcome.reason}); eviction check skipped`);
      }
    };
  });
}
