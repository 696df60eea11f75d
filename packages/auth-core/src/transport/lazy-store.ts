import { ConnexeaseAuthError } from '../errors.ts';
import type { TokenStore } from '../store/contract.ts';

/**
 * A `TokenStore` that stands in for one made asynchronously (an optional peer loaded with `import()`)
 * where a store is needed synchronously. `create` runs once, on the first call; every method waits
 * for it and then delegates. A failure is kept: every later call rejects with the same error.
 * `close()` closes the real store if it was made, and nothing is made after it.
 */
export function lazyTokenStore(create: () => Promise<TokenStore>): TokenStore {
  let creating: Promise<TokenStore> | undefined;
  let closed = false;
  const real = (): Promise<TokenStore> => {
    if (creating === undefined && closed) {
      return Promise.reject(new ConnexeaseAuthError('STORE_UNAVAILABLE', 'the token store was closed'));
    }
    creating ??= create();
    return creating;
  };
  const use = async <T>(run: (store: TokenStore) => Promise<T>): Promise<T> => run(await real());

  return {
    readToken: (ns) => use((store) => store.readToken(ns)),
    writeToken: (ns, lease, record) => use((store) => store.writeToken(ns, lease, record)),
    discardToken: (ns, value) => use((store) => store.discardToken(ns, value)),
    acquireLease: (ns, options) => use((store) => store.acquireLease(ns, options)),
    extendLease: (ns, lease, ttlMs) => use((store) => store.extendLease(ns, lease, ttlMs)),
    releaseLease: (ns, lease) => use((store) => store.releaseLease(ns, lease)),
    readLease: (ns) => use((store) => store.readLease(ns)),
    reserveIssue: (ns, request) => use((store) => store.reserveIssue(ns, request)),
    quotaUsage: (ns, options) => use((store) => store.quotaUsage(ns, options)),
    restoreQuota: (ns, request) => use((store) => store.restoreQuota(ns, request)),
    clearQuotaLoss: (ns) => use((store) => store.clearQuotaLoss(ns)),
    readBlock: (ns) => use((store) => store.readBlock(ns)),
    writeBlock: (ns, block, ttlMs) => use((store) => store.writeBlock(ns, block, ttlMs)),
    clearBlock: (ns) => use((store) => store.clearBlock(ns)),
    waitForToken: (ns, options) => use((store) => store.waitForToken(ns, options)),
    close: async () => {
      closed = true;
      const store = await creating?.catch(() => undefined);
      await store?.close();
    },
  };
}
