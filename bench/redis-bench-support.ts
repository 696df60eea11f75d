/**
 * What the Redis benchmarks share: a private redis-server (so no other process's commands end up in
 * the numbers), `INFO commandstats` snapshots, and percentiles. The server helper and the fleet
 * harness are the token-store-redis test suite's own (packages/token-store-redis/test/...).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';

const run = promisify(execFile);

/** A redis-server of the benchmark alone, on a free port, persistence off. */
export function startBenchRedis(): Promise<PrivateRedis> {
  return startPrivateRedis();
}

/** `calls` per command (lower-case name, e.g. `evalsha`) from `INFO commandstats`, read with redis-cli. */
export async function commandStats(redis: PrivateRedis): Promise<Map<string, number>> {
  const { stdout } = await run('redis-cli', [
    '-h',
    redis.host,
    '-p',
    String(redis.port),
    'INFO',
    'commandstats',
  ]);
  const calls = new Map<string, number>();
  for (const match of stdout.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls.set(match[1]!, Number(match[2]));
  return calls;
}

/** Commands run between two snapshots, by command, leaving out the INFO calls that took them. */
export function commandDelta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [command, calls] of after) {
    if (command === 'info') continue;
    const grown = calls - (before.get(command) ?? 0);
    if (grown > 0) delta.set(command, grown);
  }
  return delta;
}

/** The `p`-th percentile (0-100) of `values`, nearest rank. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}
