import type { Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connection.ts';
import type { StoreSettings } from './settings.ts';
import { debugLine, reportWarning, runOnceReady } from './startup-check.ts';
import { safeMessage } from './store-error.ts';

/** What one server keeps of an acknowledged write when it restarts or dies. */
interface NodeDurability {
  role: string | undefined;
  aofEnabled: boolean;
  /** `appendfsync`; undefined when CONFIG is disabled (managed Redis). */
  appendfsync: string | undefined;
  connectedReplicas: number;
}

/** The outcome of the start-up check. */
export type DurabilityReport =
  | { status: 'durable'; how: string }
  /** Neither an fsynced append-only file nor a replica: a restart or crash forgets the quota. */
  | { status: 'volatile'; detail: string }
  /** INFO disabled, no connection, an unreadable answer, or connected to a replica. */
  | { status: 'skipped'; reason: string };

/** `INFO <section>` as `field → value`. */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1).trim());
  }
  return fields;
}

/** `CONFIG GET appendfsync`, or undefined where CONFIG is disabled or answers oddly. */
async function readAppendfsync(node: Redis): Promise<string | undefined> {
  try {
    const reply: unknown = await node.config('GET', 'appendfsync');
    const value: unknown = Array.isArray(reply)
      ? reply[1]
      : typeof reply === 'object' && reply !== null
        ? (reply as Record<string, unknown>).appendfsync
        : undefined;
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

async function readNode(node: Redis): Promise<NodeDurability> {
  const [persistence, replication, appendfsync] = await Promise.all([
    node.info('persistence').then(parseInfo),
    node.info('replication').then(parseInfo),
    readAppendfsync(node),
  ]);
  const aof = persistence.get('aof_enabled');
  if (aof === undefined) throw new Error('INFO persistence has no aof_enabled field');
  return {
    role: replication.get('role'),
    aofEnabled: aof === '1',
    appendfsync,
    connectedReplicas: Number(replication.get('connected_slaves') ?? 0),
  };
}

/** `everysec` loses at most about a second of writes to a crash; `no` leaves it to the OS (tens of seconds). */
function describeDurable(node: NodeDurability): string | undefined {
  if (node.aofEnabled && node.appendfsync !== 'no') {
    return `append-only file (appendfsync ${node.appendfsync ?? 'not readable: CONFIG is disabled'})`;
  }
  if (node.connectedReplicas > 0) return `${node.connectedReplicas} connected replica(s)`;
  return undefined;
}

function describeVolatile(node: NodeDurability): string {
  const aof = node.aofEnabled ? 'appendonly yes but appendfsync no' : 'appendonly no';
  return `${aof}, ${node.connectedReplicas} connected replicas`;
}

/** Reads persistence and replication (every master of a Cluster). Never throws. */
export async function checkDurability(client: RedisClient): Promise<DurabilityReport> {
  try {
    const nodes = isCluster(client) ? client.nodes('master') : [client];
    const found = await Promise.all(nodes.map(readNode));
    if (found.length === 0) return { status: 'skipped', reason: 'no master to ask' };
    if (found.some((node) => node.role !== 'master')) {
      return { status: 'skipped', reason: 'connected to a replica, not a master' };
    }
    const volatile = found.find((node) => describeDurable(node) === undefined);
    if (volatile !== undefined) return { status: 'volatile', detail: describeVolatile(volatile) };
    return { status: 'durable', how: [...new Set(found.map(describeDurable))].join('; ') };
  } catch (error) {
    return { status: 'skipped', reason: safeMessage(error) };
  }
}

export function durabilityWarning(detail: string): string {
  return (
    `Redis keeps no durable copy of connexease-kit's writes (${detail}): a restart, a crash or a failover ` +
    'forgets the quota record (which JWTs were issued in the last 24 hours) and the shared token, so the fleet ' +
    'can no longer count the API limit of 30 a day from Redis alone. Enable the append-only file ' +
    '(appendonly yes, appendfsync everysec or always), or run Redis with replicas (Sentinel). ' +
    'See "Durability" in the @connexease-kit/token-store-redis README.'
  );
}

/**
 * Runs the check once, as soon as `client` is ready, off every caller's path: one warning if Redis
 * would forget the quota on a restart, a debug line otherwise. Never fails anything. Returns a cancel
 * function for `close()`.
 */
export function startDurabilityCheck(client: RedisClient, settings: StoreSettings): () => void {
  return runOnceReady(client, settings, 'INFO persistence', async () => {
    const outcome = await checkDurability(client);
    return () => {
      if (outcome.status === 'volatile') {
        reportWarning(settings, durabilityWarning(outcome.detail), 'CONNEXEASE_REDIS_DURABILITY');
      } else if (outcome.status === 'durable') {
        debugLine(settings, `Redis keeps writes through a restart: ${outcome.how}`);
      } else {
        debugLine(settings, `could not read Redis persistence (${outcome.reason}); durability check skipped`);
      }
    };
  });
}
