import { anySignal } from '../abort.ts';
import type { Lease } from '../store/contract.ts';
import type { GuardedStore } from '../store/store-guard.ts';
import type { Clock } from './provider-types.ts';

/** Keeps a lease alive while its holder works. */
export interface LeaseKeeper {
  /** The lease as last extended (the one to write and release with). */
  readonly lease: Lease;
  /** False once an extension found that the lease lapsed or someone else owns it. */
  readonly held: boolean;
  /** Stops extending (idempotent). */
  stop(): void;
}

export interface LeaseKeeperOptions {
  store: GuardedStore;
  ns: string;
  lease: Lease;
  ttlMs: number;
  clock: Clock;
  /** Stops the keeper too (the provider is closing). */
  signal: AbortSignal;
}

/**
 * Extends `lease` by `ttlMs` every `ttlMs / 3`, so a leader that is alive keeps it through two missed
 * extensions, and a leader that died lets it lapse within one TTL. A failed extension (store error) is
 * tried again at the next tick; an extension answered `null` means the lease is gone and ends the loop.
 */
export function keepLeaseAlive(options: LeaseKeeperOptions): LeaseKeeper {
  const { store, ns, ttlMs, clock } = options;
  const stopper = new AbortController();
  const signal = anySignal([stopper.signal, options.signal]);
  const intervalMs = Math.max(1, Math.floor(ttlMs / 3));
  let lease = options.lease;
  let held = true;

  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      try {
        await clock.sleep(intervalMs, signal);
      } catch {
        return;
      }
      if (signal.aborted) return;
      try {
        const extended = await store.extendLease(ns, lease, ttlMs);
        if (extended === null) {
          held = false;
          return;
        }
        lease = extended;
      } catch {
        // Reported as a store-error event by the guard; the lease may still be ours at the next tick.
      }
    }
  };
  void loop();

  return {
    get lease() {
      return lease;
    },
    get held() {
      return held;
    },
    stop: () => stopper.abort(),
  };
}
