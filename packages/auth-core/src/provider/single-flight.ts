/**
 * Runs at most one operation per key at a time: callers that ask while one is running share its
 * promise instead of starting another. The key is forgotten as soon as the operation settles, so the
 * next call starts afresh. A shared promise never causes an unhandled rejection when nobody awaits it.
 *
 * @example
 * const flights = new SingleFlight<string, string>();
 * await Promise.all([flights.run('k', fetchIt), flights.run('k', fetchIt)]); // fetchIt runs once
 */
export class SingleFlight<K, T> {
  readonly #running = new Map<K, Promise<T>>();

  /** Joins the operation running for `key`, or starts `operation` for it. */
  run(key: K, operation: () => Promise<T>): Promise<T> {
    const running = this.#running.get(key);
    if (running !== undefined) return running;
    const promise = Promise.resolve()
      .then(operation)
      .finally(() => {
        if (this.#running.get(key) === promise) this.#running.delete(key);
      });
    promise.catch(() => {});
    this.#running.set(key, promise);
    return promise;
  }

  /** The operation running for `key`, if any. */
  get(key: K): Promise<T> | undefined {
    return this.#running.get(key);
  }

  /** Every operation still running. */
  all(): Promise<T>[] {
    return [...this.#running.values()];
  }
}
