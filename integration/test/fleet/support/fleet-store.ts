import type { MockServerOptions } from '@connexease-kit/mock-server';
import type { FleetEnvironment } from './environment.ts';
import type { ReplicaRedis } from './protocol.ts';

/** One record a fleet left in its store: a Redis key (named by its last segment) or a PostgreSQL row (by its table). */
export interface StoredRecord {
  name: string;
  contents: string;
}

/** A fleet test file's environment on one store: the mock API, the running fleets, and the store they share. */
export interface StoreEnvironment extends FleetEnvironment {
  /** Where the replicas keep their store (the `redis` of their config). */
  readonly replicaStore: ReplicaRedis;
  /**
   * Guarantee 8 and "no record without an expiry", on what a fleet left: every record of `namespace`
   * expires, and no record holds any of `secrets` (username, password). Returns the namespace's records.
   */
  expectTidy(namespace: string, secrets: readonly string[]): Promise<StoredRecord[]>;
}

/** A store server of one test file alone, which its tests stop and start again (it keeps what it holds). */
export interface PrivateStoreEnvironment extends StoreEnvironment {
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A store its tests make forget everything, under a fleet (guarantee 10). */
export interface ForgetfulStoreEnvironment extends StoreEnvironment {
  /** What the forgetting is, in test names. */
  readonly forgetting: string;
  /** The replicas' store options: a command timeout short enough to see in seconds what takes a minute. */
  readonly storeOptions: { commandTimeoutMs: number };
  /**
   * Makes the store lose everything it holds, and checks that it did by what live replicas cannot
   * undo: they write records back within a store check interval.
   */
  forget(): Promise<void>;
  /** How much of `namespace`'s record the store holds now: its quota entries and whether it has a token. */
  held(namespace: string): Promise<{ quotaEntries: number; token: boolean }>;
}

/**
 * A store backend of the fleet suite, as the conformance suite takes a store: how to reach the shared
 * server and prepare it, how to run a server of one's own and stop it, and how to read what a fleet left.
 */
export interface FleetStore {
  /** In test names: `Redis`, `PostgreSQL`. */
  readonly name: string;
  /** What a cold start leaves in the store, as `recordNames` lists it. */
  readonly coldStartRecords: readonly string[];
  /** The name of the record that holds the token. */
  readonly tokenRecord: string;
  /** The names of `records`, sorted: one per Redis key, one per PostgreSQL table that holds rows. */
  recordNames(records: readonly StoredRecord[]): string[];
  /** Registers a test file's hooks on the shared server; fails early, with how to start it, when it does not answer. */
  useShared(mockOptions?: MockServerOptions): StoreEnvironment;
  /** Registers a test file's hooks on a server of its own, started for it: the shared one is never stopped. */
  usePrivate(mockOptions?: MockServerOptions): PrivateStoreEnvironment;
  /** Registers a test file's hooks on a store it may make forget everything (never the shared Redis). */
  useForgetful(mockOptions?: MockServerOptions): ForgetfulStoreEnvironment;
}

/** A test file's server or client, once its hooks have started it: throws when used outside a test. */
export function started<T>(server: T | undefined): T {
  if (server === undefined) throw new Error('the store is not started yet (use it inside a test)');
  return server;
}
