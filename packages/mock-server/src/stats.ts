import type { ApiScheme, MockStats } from './types.ts';

function emptyStats(): MockStats {
  return {
    issues: { total: 0, byUser: {} },
    jwtAttempts: { total: 0, byStatus: {}, byUser: {} },
    bans: { total: 0, users: [] },
    apiCalls: { total: 0, byScheme: { JWT: 0, Bearer: 0, none: 0 }, byStatus: {} },
    issueTimes: {},
  };
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Counts what happened and tells listeners after every change (for `waitFor`). */
export class StatsRecorder {
  #stats: MockStats = emptyStats();
  readonly #listeners = new Set<() => void>();

  jwtArrived(): void {
    this.#stats.jwtAttempts.total++;
    this.#changed();
  }

  jwtUser(username: string): void {
    increment(this.#stats.jwtAttempts.byUser, username);
    this.#changed();
  }

  /** `outcome`: the status sent, or `hang` / `reset`. */
  jwtOutcome(outcome: string): void {
    increment(this.#stats.jwtAttempts.byStatus, outcome);
    this.#changed();
  }

  issued(username: string, atMs: number): void {
    this.#stats.issues.total++;
    increment(this.#stats.issues.byUser, username);
    const times = this.#stats.issueTimes[username];
    if (times) times.push(atMs);
    else this.#stats.issueTimes[username] = [atMs];
    this.#changed();
  }

  banned(username: string): void {
    this.#stats.bans.total++;
    if (!this.#stats.bans.users.includes(username)) this.#stats.bans.users.push(username);
    this.#changed();
  }

  apiArrived(scheme: ApiScheme): void {
    this.#stats.apiCalls.total++;
    this.#stats.apiCalls.byScheme[scheme]++;
    this.#changed();
  }

  apiOutcome(status: number): void {
    increment(this.#stats.apiCalls.byStatus, String(status));
    this.#changed();
  }

  /** A deep copy: callers can keep or change it freely. */
  snapshot(): MockStats {
    return structuredClone(this.#stats);
  }

  reset(): void {
    this.#stats = emptyStats();
    this.#changed();
  }

  /** Calls `listener` after every change; returns the unsubscribe function. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}
