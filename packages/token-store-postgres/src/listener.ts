import type { PostgresTokenStoreLogger } from './options.ts';
import { safeMessage } from './store-error.ts';

/** The parts of a node-postgres `Client` the listener uses. */
export interface ListenClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: 'notification', listener: (message: { channel: string; payload?: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
}

/** One waiter's interest in a namespace. */
export interface NamespaceSubscription {
  /** Settles (never rejects) once LISTEN is confirmed, failed or timed out: the waiter polls either way. */
  ready: Promise<void>;
  /** Stops listening for this waiter. */
  release(): void;
}

export interface ChangeListenerOptions {
  channel: string;
  /** Makes a new dedicated connection (never one of the pool's: LISTEN needs a session). */
  connect: () => ListenClient;
  /** Bound for confirming LISTEN. */
  timeoutMs: number;
  logger: PostgresTokenStoreLogger | undefined;
  /** Told when the connection failed this many times in a row (once per streak). */
  onTrouble: (message: string) => void;
}

/** After this many failed connections in a row, warn once: waiters only poll until it recovers. */
const TROUBLE_AFTER_FAILURES = 5;

/**
 * Token-change notifications for one store: one dedicated connection (not from the pool) that LISTENs
 * on the store's channel, opened on first use and shared by every waiter. The payload is the
 * namespace. Notifications are only hints: a waiter re-reads the store, and its poll covers anything
 * lost while the connection was down; after a reconnect every waiter re-reads at once.
 */
export class ChangeListener {
  readonly #options: ChangeListenerOptions;
  readonly #waiters = new Map<string, Set<() => void>>();
  #client: ListenClient | undefined;
  #listening: Promise<boolean> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #failures = 0;
  #closed = false;

  constructor(options: ChangeListenerOptions) {
    this.#options = options;
  }

  subscribe(ns: string, onChange: () => void): NamespaceSubscription {
    let set = this.#waiters.get(ns);
    if (set === undefined) {
      set = new Set();
      this.#waiters.set(ns, set);
    }
    set.add(onChange);
    let released = false;
    return {
      ready: this.#confirmed(),
      release: () => {
        if (released) return;
        released = true;
        const current = this.#waiters.get(ns);
        current?.delete(onChange);
        if (current?.size === 0) this.#waiters.delete(ns);
      },
    };
  }

  /** Whether the connection is up and listening (for tests). */
  get listening(): boolean {
    return this.#client !== undefined && this.#listening !== undefined;
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reconnectTimer);
    this.#waiters.clear();
    const client = this.#client;
    this.#client = undefined;
    this.#listening = undefined;
    await client?.end().catch(() => {});
  }

  /** Resolves once listening, or after `timeoutMs`, whichever is first; never rejects. */
  #confirmed(): Promise<void> {
    const listening = this.#ensure();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, this.#options.timeoutMs);
      void listening.then(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  #ensure(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    this.#listening ??= this.#open();
    return this.#listening;
  }

  async #open(): Promise<boolean> {
    const client = this.#options.connect();
    this.#client = client;
    client.on('notification', (message) => this.#dispatch(message.channel, message.payload));
    client.on('error', (error) => this.#lost(client, `error: ${safeMessage(error)}`));
    client.on('end', () => this.#lost(client, 'connection ended'));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.#options.channel}"`);
    } catch (error) {
      this.#lost(client, `could not listen: ${safeMessage(error)}`);
      return false;
    }
    if (this.#client !== client) return false;
    if (this.#failures > 0) this.#debug('listening again after a reconnect');
    this.#failures = 0;
    // Anything sent while the connection was down is lost: every waiter re-reads now.
    this.#wakeAll();
    return true;
  }

  #lost(client: ListenClient, why: string): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    this.#listening = undefined;
    client.end().catch(() => {});
    if (this.#closed) return;
    this.#failures++;
    this.#debug(`LISTEN connection lost (${why}); waiters poll until it is back`);
    if (this.#failures === TROUBLE_AFTER_FAILURES) {
      this.#options.onTrouble(
        `PostgreSQL token store: the LISTEN connection failed ${this.#failures} times in a row (${why}); ` +
          'waiters fall back to polling. Behind PgBouncer in transaction pooling, pass listenConnectionString',
      );
    }
    this.#scheduleReconnect();
  }

  #scheduleReconnect(): void {
    if (this.#closed || this.#reconnectTimer !== undefined || this.#waiters.size === 0) return;
    const backoff = Math.min(100 * 2 ** Math.min(this.#failures, 5), 2000);
    const delay = backoff / 2 + (Math.random() * backoff) / 2;
    this.#reconnectTimer = setTimeout(() => {
      this.#reconnectTimer = undefined;
      if (this.#waiters.size > 0) void this.#ensure();
    }, delay);
  }

  #dispatch(channel: string, ns: string | undefined): void {
    if (channel !== this.#options.channel || ns === undefined) return;
    for (const listener of [...(this.#waiters.get(ns) ?? [])]) listener();
  }

  #wakeAll(): void {
    for (const set of [...this.#waiters.values()]) for (const listener of [...set]) listener();
  }

  #debug(message: string): void {
    this.#options.logger?.debug?.(`PostgreSQL token store: ${message}`);
  }
}
