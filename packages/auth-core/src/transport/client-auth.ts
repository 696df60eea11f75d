import type { JwtIssuer } from '../issuer/issuer.ts';
import { createTokenProvider } from '../provider/provider.ts';
import type { TokenProvider, TokenProviderOptions } from '../provider/provider-types.ts';
import type { TokenStore } from '../store/contract.ts';
import { DEFAULT_BASE_URL } from '../url.ts';
import { type ClientStoreOption, resolveClientStore } from './client-store.ts';
import { baseUrlWithSlash, checkTimeoutMs, DEFAULT_TIMEOUT_MS } from './options.ts';
import type { StoreLoaders } from './store-loaders.ts';

/**
 * The configuration every transport's client factory shares (`createConnexeaseClient` of http-ky,
 * `createConnexeaseFetch` of http-fetch): the provider's options plus where the API is, which store to
 * use and the per-attempt timeout.
 */
export interface TransportClientConfig extends Omit<TokenProviderOptions, 'issuer' | 'store'> {
  /** `{ accessToken }` (Bearer, recommended) or `{ username, password }` (legacy JWT from `POST /jwt/`). */
  credentials: TokenProviderOptions['credentials'];
  /** API base URL: where `POST /jwt/` is sent and relative inputs resolve. Default `https://api.connexease.com`. */
  baseUrl?: string;
  /**
   * Where tokens, leases, quota and blocks are kept and shared (JWT mode only; an Account Access
   * Token needs no store):
   *
   * - `'memory'` (default): a fresh in-process store. One process; a restart forgets the token and the count.
   * - `'file'`: `createFileTokenStore()` from the optional peer `@connexease-kit/token-store-file`, in
   *   its default directory, loaded on first use: survives restarts and is shared by every process of
   *   the host. If the package is missing, calls fail with `CONFIG_INVALID` saying how to install it.
   * - a `TokenStore`: yours, used as it is and yours to close; e.g. `createRedisTokenStore(…)` for
   *   several hosts, or `createFileTokenStore({ directory })` for another directory.
   *
   * A store the client creates is closed by `auth.close()`; it receives `onEvent` for its warnings.
   */
  store?: ClientStoreOption;
  /** Per-attempt timeout of API calls, and the whole-attempt deadline of `POST /jwt/`. Default 10 000 ms. */
  timeoutMs?: number;
}

/** What a client factory takes besides the public config. */
export interface ClientInternals {
  /** Used as the store instead of `config.store`, and closed by `auth.close()`. */
  ownedStore?: TokenStore;
  /** Loads `@connexease-kit/token-store-file` for `store: 'file'`. */
  loadFileStore?: StoreLoaders['file'];
}

/** What the transport contributes to {@link createClientAuth}. */
export interface ClientTransport {
  /** Makes the `POST /jwt/` issuer for `baseUrl` (with its trailing slash). Called in JWT mode only. */
  makeIssuer(options: { baseUrl: string; timeoutMs: number; now: (() => number) | undefined }): JwtIssuer;
  /** The in-process store (`createMemoryTokenStore`). */
  createMemoryStore(): TokenStore;
  /** The transport's own `import('@connexease-kit/token-store-file')`. */
  loadFileStore: StoreLoaders['file'];
}

/** What {@link createClientAuth} returns to the transport. */
export interface ClientAuth {
  /** The token provider, whose `close()` also closes a store the client created. */
  auth: TokenProvider;
  /** The validated API base URL, with one trailing slash so relative inputs extend its path. */
  baseUrl: string;
  /** The validated per-attempt timeout. */
  timeoutMs: number;
}

/**
 * The part of a client factory every transport shares: validates `baseUrl` and `timeoutMs`, picks the
 * store (creating and owning `'memory'`/`'file'` ones), makes the issuer, creates the provider, and
 * returns it as a frozen facade whose `close()` also closes the store the client created.
 *
 * @param config The public config without the transport's own options (they would be unknown to the provider).
 * @throws ConnexeaseAuthError `CONFIG_INVALID` for invalid options; a store made here is closed first.
 */
export function createClientAuth(
  config: TransportClientConfig,
  transport: ClientTransport,
  internals: ClientInternals = {},
): ClientAuth {
  const { store: storeOption, timeoutMs: givenTimeout, ...providerOptions } = config;
  const baseUrl = baseUrlWithSlash(config.baseUrl ?? DEFAULT_BASE_URL, 'baseUrl');
  const timeoutMs = checkTimeoutMs(givenTimeout ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const isPassword =
    typeof config.credentials === 'object' &&
    config.credentials !== null &&
    !('accessToken' in config.credentials);

  const { store, owned } =
    internals.ownedStore === undefined
      ? resolveClientStore(storeOption, isPassword, {
          onEvent: config.onEvent,
          loadFileStore: internals.loadFileStore ?? transport.loadFileStore,
          createMemoryStore: transport.createMemoryStore,
        })
      : { store: internals.ownedStore, owned: internals.ownedStore };
  const clock = config.clock;
  // The issuer stamps `receivedAt` on the provider's clock, so an injected clock sees consistent times.
  const now = clock === undefined ? undefined : () => clock.now();
  const issuer: JwtIssuer | undefined = isPassword
    ? transport.makeIssuer({ baseUrl, timeoutMs, now })
    : undefined;

  let provider: TokenProvider;
  try {
    provider = createTokenProvider({
      ...providerOptions,
      baseUrl,
      ...(issuer === undefined ? {} : { issuer }),
      ...(store === undefined ? {} : { store }),
    });
  } catch (error) {
    void owned?.close().catch(() => {});
    throw error;
  }
  return { auth: closingStoreToo(provider, owned), baseUrl, timeoutMs };
}

/** The provider itself, except that closing also closes a store the client made. */
function closingStoreToo(provider: TokenProvider, owned: TokenStore | undefined): TokenProvider {
  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    try {
      await provider.close();
    } finally {
      await owned?.close();
    }
  };
  return Object.freeze({
    mode: provider.mode,
    getAuthorization: (options) => provider.getAuthorization(options),
    handleUnauthorized: (rejected, options) => provider.handleUnauthorized(rejected, options),
    status: () => provider.status(),
    unblock: () => provider.unblock(),
    onEvent: (listener) => provider.onEvent(listener),
    close: () => {
      closing ??= close();
      return closing;
    },
  } satisfies TokenProvider);
}
