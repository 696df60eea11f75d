import type { TokenStore } from '@connexease-kit/auth-core';
import { describe } from 'vitest';
import { createSuiteContext } from './harness.ts';
import { type ConformanceOptions, resolveOptions } from './options.ts';
import { describeBlocks } from './suites/blocks.ts';
import { describeClose } from './suites/close.ts';
import { describeCompareAndDelete } from './suites/compare-and-delete.ts';
import { describeLeases } from './suites/leases.ts';
import { describeQuota } from './suites/quota.ts';
import { describeQuotaMemory } from './suites/quota-memory.ts';
import { describeTokens } from './suites/tokens.ts';
import { describeTtls } from './suites/ttl.ts';
import { describeWakeUps } from './suites/wake-ups.ts';

/**
 * Registers the whole `TokenStore` conformance suite with vitest, inside one `describe` named after the
 * store. Call it at the top level of a test file. Every test works in fresh random namespaces and
 * closes every store it made, so several runs may share one backend at once.
 *
 * @example
 * ```ts
 * import { runTokenStoreConformance } from '@connexease-kit/token-store-conformance';
 * import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
 *
 * runTokenStoreConformance({
 *   name: 'memory',
 *   createStore: () => createMemoryTokenStore(),
 *   capabilities: { clock: 'local', notifications: true },
 *   inspectTtls: (ns, store) => store.inspectTtls(ns),
 * });
 * ```
 */
export function runTokenStoreConformance<S extends TokenStore>(options: ConformanceOptions<S>): void {
  const settings = resolveOptions(options);
  describe(`TokenStore conformance: ${settings.name}`, () => {
    const context = createSuiteContext(settings);
    describeTokens(context);
    describeCompareAndDelete(context);
    describeLeases(context);
    describeQuota(context);
    describeQuotaMemory(context);
    describeBlocks(context);
    describeTtls(context);
    describeWakeUps(context);
    describeClose(context);
  });
}
