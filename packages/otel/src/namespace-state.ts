import type { ObservedEvent } from './channel-names.ts';

const STATE_EVENTS: ReadonlySet<string> = new Set([
  'quota-reserved',
  'quota-low',
  'quota-exhausted',
  'issued',
  'refreshed',
  'reused-from-store',
  'blocked',
  'unblocked',
]);

/** What the gauges report for one API user (namespace), as the latest events told it. */
export interface NamespaceState {
  quota?: { used: number; limit: number; remaining: number };
  /** The held token's times (epoch ms, this process's clock). */
  token?: { refreshAt: number | undefined; expiresAt: number };
  /** The current block; `null` once it was cleared. */
  block?: { code: string; until: number | undefined } | null;
  /**
   * Every block code seen for this namespace: the gauge reports each (1 for the active one, 0 for the
   * rest), because an exporter keeps the last value of a series that is no longer observed.
   */
  blockCodes?: Set<string>;
}

/** The per-namespace state the observable gauges read at collection time. */
export class NamespaceStates {
  readonly #states = new Map<string, NamespaceState>();

  entries(): IterableIterator<[string, NamespaceState]> {
    return this.#states.entries();
  }

  /** Updates the state from one provider event; events that change no gauge are ignored. */
  apply(event: ObservedEvent): void {
    if (!STATE_EVENTS.has(event.type)) return;
    const state = this.#state(event.ns);
    switch (event.type) {
      case 'quota-reserved':
      case 'quota-low':
        state.quota = { used: event.used, limit: event.limit, remaining: event.remaining };
        break;
      case 'quota-exhausted':
        state.quota = {
          used: event.used,
          limit: event.limit,
          remaining: Math.max(0, event.limit - event.used),
        };
        break;
      case 'issued':
      case 'refreshed':
      case 'reused-from-store':
        state.token = { refreshAt: event.refreshAt, expiresAt: event.expiresAt };
        break;
      case 'blocked':
        state.block = { code: event.code, until: event.until };
        state.blockCodes = new Set([...(state.blockCodes ?? []), event.code]);
        break;
      case 'unblocked':
        if (state.block !== undefined) state.block = null;
        break;
      default:
        break;
    }
  }

  #state(ns: string): NamespaceState {
    let state = this.#states.get(ns);
    if (state === undefined) {
      state = {};
      this.#states.set(ns, state);
    }
    return state;
  }
}
