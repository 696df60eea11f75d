import type { Cluster, Redis } from 'ioredis';
import { isCluster, type RedisClient } from './connection.ts';
import type { RedisTokenStoreLogger } from './options.ts';
import { safeMessage } from './store-error.ts';

/** One waiter's interest in a channel. */
export interface ChannelSubscription {
  /** Settles (never rejects) once the subscription is confirmed, failed or timed out: poll either way. */
  ready: Promise<void>;
  /** Stops listening; the last listener of a channel unsubscribes it. */
  release(): void;
}

interface ChannelState {
  listeners: Set<() => void>;
  ready: Promise<void>;
}

export interface ChangeNotifierOptions {
  /** Bound for confirming a subscription. */
  timeoutMs: number;
  logger: RedisTokenStoreLogger | undefined;
}

/**
 * Token-change notifications for one store: one subscriber connection, duplicated from the store's
 * client on first use and shared by every waiter, with one Redis subscription per channel however many
 * waiters listen. A standalone or Sentinel client uses SUBSCRIBE; a Cluster uses sharded pub/sub
 * (SSUBSCRIBE, Redis 7), so each channel lives on its namespace's slot. Messages are only hints: the
 * waiter re-reads the store, and its poll covers any message lost to a reconnect.
 */
export class ChangeNotifier {
  private subscriber: RedisClient | undefined;
  private readonly channels = new Map<string, ChannelState>();
  private closed = false;

  constructor(
    private readonly client: RedisClient,
    private readonly options: ChangeNotifierOptions,
  ) {}

  /** The name to subscribe to: scripts publish on a KEYS entry, which ioredis prefixes with the client's `keyPrefix`. */
  private fullName(channel: string): string {
    const prefix = this.client.options.keyPrefix;
    return typeof prefix === 'string' ? `${prefix}${channel}` : channel;
  }

  subscribe(channel: string, listener: () => void): ChannelSubscription {
    const name = this.fullName(channel);
    let state = this.channels.get(name);
    if (state === undefined) {
      state = { listeners: new Set(), ready: this.send('subscribe', name) };
      this.channels.set(name, state);
    }
    const current = state;
    current.listeners.add(listener);
    let released = false;
    return {
      ready: current.ready,
      release: () => {
        if (released) return;
        released = true;
        current.listeners.delete(listener);
        if (current.listeners.size === 0 && this.channels.get(name) === current) {
          this.channels.delete(name);
          void this.send('unsubscribe', name);
        }
      },
    };
  }

  /** Number of channels with at least one listener (for tests). */
  get activeChannels(): number {
    return this.channels.size;
  }

  close(): void {
    this.closed = true;
    this.dropSubscriber();
  }

  /**
   * The subscriber lives no longer than the client it was duplicated from: a caller who quits their own
   * client without closing the store must not be left with a connection that keeps the process alive.
   */
  private readonly onClientEnd = (): void => this.dropSubscriber();

  private dropSubscriber(): void {
    this.client.off('end', this.onClientEnd);
    // Waiters still registered find out at their next poll, which fails on the ended client.
    this.channels.clear();
    this.subscriber?.disconnect();
    this.subscriber = undefined;
  }

  /** The shared subscriber connection, opened on first use; none once the store's client has ended. */
  private connection(): RedisClient | undefined {
    if (this.subscriber !== undefined) return this.subscriber;
    if (this.client.status === 'end') return undefined;
    const subscriber = isCluster(this.client)
      ? this.duplicateCluster(this.client)
      : this.duplicateRedis(this.client);
    subscriber.on('error', (error: unknown) => {
      this.options.logger?.debug?.(`Redis token store: subscriber connection error: ${safeMessage(error)}`);
    });
    const dispatch = (channel: string | Buffer): void => {
      const state = this.channels.get(String(channel));
      if (state === undefined) return;
      for (const listener of [...state.listeners]) listener();
    };
    subscriber.on(isCluster(subscriber) ? 'smessage' : 'message', dispatch);
    this.client.once('end', this.onClientEnd);
    this.subscriber = subscriber;
    return subscriber;
  }

  private duplicateRedis(client: Redis): Redis {
    // Channel names arrive fully prefixed (see fullName); the subscriber must not prefix them again.
    return client.duplicate({
      keyPrefix: '',
      lazyConnect: false,
      enableOfflineQueue: true,
      autoResubscribe: true,
      maxRetriesPerRequest: null,
      retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times, 5), 2000),
      connectionName: 'connexease-kit:subscriber',
    });
  }

  private duplicateCluster(client: Cluster): Cluster {
    return client.duplicate([], {
      keyPrefix: '',
      redisOptions: { keyPrefix: '', connectionName: 'connexease-kit:subscriber' },
      shardedSubscribers: true,
      enableOfflineQueue: true,
    });
  }

  /** Sends (S)SUBSCRIBE or (S)UNSUBSCRIBE; resolves when done, failed or timed out, never rejects. */
  private send(action: 'subscribe' | 'unsubscribe', name: string): Promise<void> {
    if (this.closed) return Promise.resolve();
    const subscriber = this.connection();
    if (subscriber === undefined) return Promise.resolve();
    const sharded = isCluster(subscriber);
    const command =
      action === 'subscribe'
        ? sharded
          ? subscriber.ssubscribe(name)
          : subscriber.subscribe(name)
        : sharded
          ? subscriber.sunsubscribe(name)
          : subscriber.unsubscribe(name);
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.options.logger?.debug?.(`Redis token store: ${action} not confirmed in time; polling covers it`);
        resolve();
      }, this.options.timeoutMs);
      command.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          this.options.logger?.debug?.(`Redis token store: ${action} failed: ${safeMessage(error)}`);
          resolve();
        },
      );
    });
  }
}
