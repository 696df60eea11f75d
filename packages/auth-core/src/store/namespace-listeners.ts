type Listener = () => void;

/**
 * Per-namespace wake-up listeners: the in-process stand-in for Redis pub/sub (the memory store's
 * writes, the file store's directory watch). A listener is only a hint to re-read the record, so a
 * spurious call is harmless and a write is never missed.
 */
export class NamespaceListeners {
  readonly #byNamespace = new Map<string, Set<Listener>>();

  /** Adds `listener` for `ns` and returns the function that removes it. */
  subscribe(ns: string, listener: Listener): () => void {
    let listeners = this.#byNamespace.get(ns);
    if (listeners === undefined) {
      listeners = new Set();
      this.#byNamespace.set(ns, listeners);
    }
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0 && this.#byNamespace.get(ns) === listeners) this.#byNamespace.delete(ns);
    };
  }

  /** The namespaces someone listens to. */
  namespaces(): IterableIterator<string> {
    return this.#byNamespace.keys();
  }

  /** Whether anyone listens at all. */
  get isEmpty(): boolean {
    return this.#byNamespace.size === 0;
  }

  /** Calls every listener of `ns`. Listeners may unsubscribe while being called. */
  notify(ns: string): void {
    const listeners = this.#byNamespace.get(ns);
    if (listeners === undefined) return;
    for (const listener of [...listeners]) listener();
  }
}
