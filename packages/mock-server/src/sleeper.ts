/** Timers the server can cancel all at once on `close()`, so a slow or delayed answer never outlives it. */
export class Sleeper {
  readonly #timers = new Set<NodeJS.Timeout>();
  #cancelled = false;

  /** Resolves after `ms`; never resolves once `cancelAll` ran (the work after it is dropped). */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 && !this.#cancelled) return Promise.resolve();
    return new Promise((resolve) => {
      if (this.#cancelled) return;
      const timer = setTimeout(() => {
        this.#timers.delete(timer);
        resolve();
      }, ms);
      this.#timers.add(timer);
    });
  }

  cancelAll(): void {
    this.#cancelled = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
  }
}
