import type { Cluster, Redis } from 'ioredis';
import { expect } from 'vitest';

/** One key as Redis holds it: its type, its PTTL and everything readable in it. */
export interface StoredKey {
  key: string;
  type: string;
  pttl: number;
  /** The value as text (string value, or zset members and scores), plus the DUMP bytes as latin1. */
  contents: string;
}

/** Every node that holds keys: the masters of a Cluster, or the one server. */
function nodesOf(client: Redis | Cluster): Redis[] {
  return 'isCluster' in client && client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
}

/** SCAN `pattern` on every node. */
export async function scanKeys(client: Redis | Cluster, pattern: string): Promise<string[]> {
  const found: string[] = [];
  for (const node of nodesOf(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
  }
  return [...new Set(found)];
}

async function readKey(client: Redis | Cluster, key: string): Promise<StoredKey | null> {
  const type = await client.type(key);
  if (type === 'none') return null;
  const pttl = await client.pttl(key);
  let text = '';
  if (type === 'string') text = (await client.get(key)) ?? '';
  else if (type === 'zset')
    text = ((await client.zrange(key, 0, '-1', 'WITHSCORES')) as unknown[]).flat(2).join(' ');
  else if (type === 'hash') text = JSON.stringify(await client.hgetall(key));
  else if (type === 'set') text = (await client.smembers(key)).join(' ');
  else if (type === 'list') text = (await client.lrange(key, 0, -1)).join(' ');
  const dump = await client.dumpBuffer(key);
  return { key, type, pttl, contents: `${text}\n${dump?.toString('latin1') ?? ''}` };
}

/** Every key of `namespace` (`cxk:{<ns>}:*`) with its type, PTTL and readable contents. */
export async function namespaceKeys(client: Redis | Cluster, namespace: string): Promise<StoredKey[]> {
  const keys = await scanKeys(client, `cxk:{${namespace}}:*`);
  const read = await Promise.all(keys.map((key) => readKey(client, key)));
  return read.filter((key): key is StoredKey => key !== null);
}

/**
 * Guarantee 8 and "no key without a TTL", checked on what a fleet left behind: every key of the
 * namespace expires (PTTL > 0), and neither key names under `cxk:*` nor the namespace's values (read
 * by type and as DUMP bytes) contain any of `secrets` (username, password, tokens). Returns the keys.
 */
export async function expectTidyNamespace(
  client: Redis | Cluster,
  namespace: string,
  secrets: readonly string[],
): Promise<StoredKey[]> {
  const keys = await namespaceKeys(client, namespace);
  expect(keys.length, 'the fleet left its keys in Redis').toBeGreaterThan(0);
  for (const { key, pttl } of keys) expect(pttl, `${key} must expire`).toBeGreaterThan(0);
  const allNames = await scanKeys(client, 'cxk:*');
  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8);
    for (const name of allNames) expect(name.includes(secret), `key name ${name} holds a secret`).toBe(false);
    for (const { key, contents } of keys) {
      expect(contents.includes(secret), `the value of ${key} holds a secret in clear`).toBe(false);
    }
  }
  return keys;
}
