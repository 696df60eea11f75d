import type { TokenStore } from '@connexease-kit/auth-core';
import { test } from 'vitest';
import type { ResolvedConformance } from './options.ts';
import { sleep } from './timing.ts';

/**
 * One test's stores and background work. Every store it creates is closed (then `cleanup`) when the
 * test ends, pass or fail, after every scheduled `later` action has settled.
 */
export class TestHarness<S extends TokenStore> {
  readonly settings: ResolvedConformance<S>;
  private readonly created: S[] = [];
  private readonly pending: Promise<unknown>[] = [];
  private primary: Promise<S> | undefined;

  constructor(settings: ResolvedConformance<S>) {
    this.settings = settings;
  }

  /** The test's main store, created on first use. */
  store(): Promise<S> {
    this.primary ??= this.newStore();
    return this.primary;
  }

  /** A store standing for another process: a new instance when `multiProcess`, else the main store. */
  async peer(): Promise<S> {
    return this.settings.multiProcess ? this.newStore() : this.store();
  }

  /** `count` distinct instances over one backend (only meaningful when `multiProcess`). */
  async instances(count: number = this.settings.instances): Promise<S[]> {
    const stores = [await this.store()];
    while (stores.length < count) stores.push(await this.newStore());
    return stores;
  }

  /** A fresh store from the factory, tracked for closing. */
  async newStore(): Promise<S> {
    const store = await this.settings.createStore();
    this.created.push(store);
    return store;
  }

  /** Runs `action` after `ms`; the test may await the result, and teardown always waits for it. */
  later<T>(ms: number, action: () => Promise<T>): Promise<T> {
    const result = sleep(ms).then(action);
    this.pending.push(result.catch(() => undefined));
    return result;
  }

  /** Waits for background actions, then closes and cleans up every store. Throws the first failure. */
  async dispose(): Promise<void> {
    await Promise.all(this.pending);
    const failures: unknown[] = [];
    for (const store of this.created) {
      try {
        await store.close();
      } catch (error) {
        failures.push(error);
      }
      try {
        await this.settings.cleanup?.(store);
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw failures[0];
  }
}

export type ConformanceTestBody<S extends TokenStore> = (harness: TestHarness<S>) => Promise<void>;

/** Registers tests for one store; each gets a fresh harness. */
export interface SuiteContext<S extends TokenStore> {
  readonly settings: ResolvedConformance<S>;
  /**
   * Registers a test. `waitsMs` is the longest the test deliberately waits (a wait timeout, an expiry);
   * it is added to the configured per-test timeout.
   */
  it(name: string, body: ConformanceTestBody<S>, waitsMs?: number): void;
}

export function createSuiteContext<S extends TokenStore>(settings: ResolvedConformance<S>): SuiteContext<S> {
  return {
    settings,
    it(name, body, waitsMs = 0) {
      test(
        name,
        async () => {
          const harness = new TestHarness(settings);
          let outcome: { failed: false } | { failed: true; error: unknown } = { failed: false };
          try {
            await body(harness);
          } catch (error) {
            outcome = { failed: true, error };
          }
          try {
            await harness.dispose();
          } catch (error) {
            // A failing assertion says more than the teardown trouble it may have caused.
            if (!outcome.failed) throw error;
          }
          if (outcome.failed) throw outcome.error;
        },
        settings.timeoutMs + waitsMs,
      );
    },
  };
}
