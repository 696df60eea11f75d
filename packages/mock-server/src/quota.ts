/**
 * Successful issues per user, for the sliding-window limit. Timestamps are kept (not pruned) so that
 * widening the window at runtime still sees older issues.
 */
export class IssueQuota {
  readonly #issues = new Map<string, number[]>();

  /** Issues in the window `(now - windowMs, now]`, plus any stamped after `now` by a clock that went back. */
  used(username: string, now: number, windowMs: number): number {
    const start = now - windowMs;
    let count = 0;
    for (const at of this.#issues.get(username) ?? []) if (at > start) count++;
    return count;
  }

  record(username: string, at: number): void {
    const issues = this.#issues.get(username);
    if (issues) issues.push(at);
    else this.#issues.set(username, [at]);
  }

  /** Forgets one user's issues, or everyone's. */
  reset(username?: string): void {
    if (username === undefined) this.#issues.clear();
    else this.#issues.delete(username);
  }
}
