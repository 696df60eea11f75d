import { setTimeout as sleep } from 'node:timers/promises';
import type { CallResult, Replica } from './fleet.ts';

/** One request of the load, once it is answered. */
export interface RequestRecord {
  /** 1-based request number, in the order requests arrived. */
  index: number;
  replica: string;
  result: CallResult;
  /** `performance.now()` when the answer came. */
  answeredAt: number;
  /** How many times a crash lost it and the load balancer sent it to another replica. */
  rerouted: number;
}

/** A running load: requests arriving at a steady rate, spread round-robin over the live replicas. */
export interface Load {
  /** Requests that have arrived so far. */
  readonly arrived: number;
  /** Answered requests, in the order they were answered. */
  readonly records: readonly RequestRecord[];
  /** The replicas in rotation. */
  readonly replicas: readonly Replica[];
  /** Resolves once `count` requests have been served successfully. */
  served(count: number): Promise<void>;
  /** Takes a replica out of rotation (before it crashes). */
  remove(replica: Replica): void;
  /** Puts a replica into rotation (a replacement that became ready). */
  add(replica: Replica): void;
  /** Resolves when every request has been answered. */
  readonly done: Promise<void>;
}

export interface LoadOptions {
  total: number;
  ratePerSecond: number;
  /** The API path every request calls. */
  path: string;
  /**
   * Called before request `index` arrives; arrivals wait for it. The scenario runs its events here, so
   * each one happens at the same request number in every run, however fast the machine is.
   */
  beforeArrival?: (index: number) => Promise<void> | void;
}

/**
 * Starts an open-loop load: request `n` arrives at `(n - 1) / rate` seconds whether or not earlier ones
 * were answered, as traffic does. So when the server revokes the token, every request in flight at that
 * moment meets it, which is what separates a client with single flight from one without.
 */
export function startLoad(initial: readonly Replica[], options: LoadOptions): Load {
  const replicas = [...initial];
  const records: RequestRecord[] = [];
  const replicaWaiters: (() => void)[] = [];
  const servedWaiters: { count: number; resolve: () => void }[] = [];
  let arrived = 0;
  let served = 0;
  let turn = 0;

  const nextReplica = async (): Promise<Replica> => {
    while (replicas.length === 0) await new Promise<void>((resolve) => replicaWaiters.push(resolve));
    const replica = replicas[turn % replicas.length]!;
    turn += 1;
    return replica;
  };

  const serve = async (index: number): Promise<void> => {
    for (let rerouted = 0; ; rerouted += 1) {
      const replica = await nextReplica();
      const result = await replica.call(options.path);
      if (result.crashed) continue;
      records.push({ index, replica: replica.name, result, answeredAt: performance.now(), rerouted });
      if (result.ok) served += 1;
      for (const waiter of servedWaiters.filter((w) => w.count <= served)) {
        servedWaiters.splice(servedWaiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      return;
    }
  };

  const run = async (): Promise<void> => {
    await null; // let startLoad return before the first arrival
    let due = performance.now();
    const answers: Promise<void>[] = [];
    for (let index = 1; index <= options.total; index += 1) {
      await options.beforeArrival?.(index);
      // After a pause for an event, carry on at the same rate rather than bursting to catch up.
      due = Math.max(due, performance.now() - 1000 / options.ratePerSecond);
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      due += 1000 / options.ratePerSecond;
      arrived = index;
      answers.push(serve(index));
    }
    await Promise.all(answers);
  };

  return {
    get arrived() {
      return arrived;
    },
    records,
    replicas,
    served: (count) =>
      count <= served ? Promise.resolve() : new Promise((resolve) => servedWaiters.push({ count, resolve })),
    remove(replica) {
      const at = replicas.indexOf(replica);
      if (at >= 0) replicas.splice(at, 1);
    },
    add(replica) {
      replicas.push(replica);
      for (const wake of replicaWaiters.splice(0)) wake();
    },
    done: run(),
  };
}
