import type { AuthEvent, AuthEventListener } from './events.ts';

/**
 * Delivers provider events to listeners. A listener that throws is ignored (and so is the next one's
 * failure): reporting must never change what the provider does.
 */
export class EventHub {
  readonly #listeners = new Set<AuthEventListener>();

  /** Adds `listener`; returns the function that removes it (calling it twice is harmless). */
  on(listener: AuthEventListener): () => void {
    // A wrapper per subscription, so the same function subscribed twice is also removed one at a time.
    const entry: AuthEventListener = (event) => listener(event);
    this.#listeners.add(entry);
    return () => {
      this.#listeners.delete(entry);
    };
  }

  emit(event: AuthEvent): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // Ignored on purpose: see the class comment.
      }
    }
  }
}
