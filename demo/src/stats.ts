/** Latency percentiles, in whole milliseconds. */
export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

/** The value below which `p` percent of `values` fall (nearest-rank method), or 0 for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** p50, p99 and max of `values`, rounded to whole milliseconds. */
export function summarizeLatency(values: readonly number[]): LatencySummary {
  return {
    p50: Math.round(percentile(values, 50)),
    p99: Math.round(percentile(values, 99)),
    max: Math.round(percentile(values, 100)),
  };
}

/** How many times each value occurs, e.g. `{ '502': 2, '200': 1 }`. */
export function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
