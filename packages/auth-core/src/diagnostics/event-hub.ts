import { publishEvent } from './diagnostics.ts';
import type { AuthEvent, AuthEventListener } from './events.ts';
import { emitUnobservedWarning } from './unobserved-warning.ts';

/**
 * Delivers provider events to listeners and publishes them on `connexease-kit:event`. A listener that
 * throws is ignored (and so is the next one's failure): reporting must never change what the provider
 * does. A warning no listener saw goes to `process.emitWarning`, whoever subscribes to the channel.
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
    reportEvent(event, { observed: this.#listeners.size > 0 });
  }
}

/** How {@link reportEvent} treats a warning. */
export interface ReportEventOptions {
  /** Whether the event already reached a listener of yours (`onEvent`, a logger): then no process warning. */
  observed: boolean;
  /** The `process.emitWarning` code for a warning nobody observed. Default `CONNEXEASE_WARNING`. */
  warningCode?: string;
}

/**
 * The one place events leave connexease-kit besides your own listeners: publishes `event` on the
 * `connexease-kit:event` diagnostics channel and, for a `warning` that `observed` says no listener
 * of yours saw, calls `process.emitWarning` once per distinct warning per process. A channel
 * subscriber does not count as a listener: it may be a tool (such as `@connexease-kit/otel`) that
 * drops warnings. For store adapters, which deliver to their own `onEvent` first.
 */
export function reportEvent(event: AuthEvent, options: ReportEventOptions): void {
  publishEvent(event);
  if (event.type === 'warning' && !options.observed) {
    emitUnobservedWarning(event.message, options.warningCode);
  }
}
