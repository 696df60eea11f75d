import type { AuthEventListener } from '../diagnostics/events.ts';
import { ConnexeaseAuthError } from '../errors.ts';
import type { TokenStore } from '../store/contract.ts';
import { lazyTokenStore } from './lazy-store.ts';
import { createFileStore, type StoreLoaders } from './store-loaders.ts';

/** The `store` option of a transport's client factory: a store kind the client creates, or a store of yours. */
export type ClientStoreOption = 'memory' | 'file' | TokenStore;

/** Which store a client uses, and which part of it is the client's to close. */
export interface ClientStore {
  /** The store given to the provider; none with an Account Access Token (nothing is stored). */
  store: TokenStore | undefined;
  /** The store the client created, and closes in `auth.close()`. */
  owned: TokenStore | undefined;
}

/** What {@link resolveClientStore} needs from the transport besides the option. */
export interface ClientStoreContext {
  onEvent: AuthEventListener | undefined;
  /** Loads `@connexease-kit/token-store-file` (an optional peer of the transport). */
  loadFileStore: StoreLoaders['file'];
  /** Makes the in-process store (`createMemoryTokenStore` of `@connexease-kit/token-store-memory`). */
  createMemoryStore: () => TokenStore;
}

/**
 * Turns the `store` option into a store: `'memory'` (and no option) is a fresh in-process store,
 * `'file'` a file store made from `@connexease-kit/token-store-file` on first use (an optional peer,
 * so it is imported lazily), both owned by the client; a `TokenStore` object is used as it is and
 * stays the caller's. With an Account Access Token nothing is created.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` for any other value.
 */
export function resolveClientStore(
  option: unknown,
  isPassword: boolean,
  context: ClientStoreContext,
): ClientStore {
  if (typeof option === 'object' && option !== null) {
    return { store: option as TokenStore, owned: undefined };
  }
  if (option !== undefined && option !== 'memory' && option !== 'file') {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      "store must be 'memory', 'file' or a TokenStore object (for Redis: createRedisTokenStore(…))",
    );
  }
  if (!isPassword) return { store: undefined, owned: undefined };
  if (option === 'file') {
    const { onEvent, loadFileStore } = context;
    const lazy = lazyTokenStore(() =>
      createFileStore(onEvent === undefined ? {} : { onEvent }, loadFileStore, "store is 'file'"),
    );
    return { store: lazy, owned: lazy };
  }
  const memory = context.createMemoryStore();
  return { store: memory, owned: memory };
}
