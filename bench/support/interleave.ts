/** One request through one client. */
export type Call = () => Promise<unknown>;

/** How long {@link interleave} runs. */
export interface InterleaveOptions {
  /** Timed calls per client. */
  requests: number;
  /** Untimed rounds first (a token issue, the connections, the JIT). */
  warmUpRounds?: number;
}

/**
 * Times `requests` calls through every client, interleaved one by one, sequentially, in a fresh random
 * order for every round of one call each: load from other processes hits every client alike, and no
 * client always runs right after the same other one (work a call leaves behind would otherwise be
 * charged to its fixed successor). Returns each client's rate in calls per second: its call count over
 * its own summed time. Compare the rates as ratios, never as absolute numbers.
 */
export async function interleave<Name extends string>(
  clients: Record<Name, Call>,
  { requests, warmUpRounds = 300 }: InterleaveOptions,
): Promise<Record<Name, number>> {
  const names = Object.keys(clients) as Name[];
  const calls = names.map((name) => clients[name]);
  const elapsed = calls.map(() => 0);
  for (let i = 0; i < warmUpRounds; i++) for (const call of calls) await call();
  for (let i = 0; i < requests; i++) {
    for (const index of shuffled(calls.length)) {
      const started = performance.now();
      await calls[index]!();
      elapsed[index]! += performance.now() - started;
    }
  }
  const rates = names.map((name, index) => [name, requests / (elapsed[index]! / 1000)] as const);
  return Object.fromEntries(rates) as Record<Name, number>;
}

/** The indexes `0 … length - 1` in a random order (Fisher-Yates). */
function shuffled(length: number): number[] {
  const order = Array.from({ length }, (_, index) => index);
  for (let i = length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
