import {
  createTokenProvider,
  DEFAULT_BASE_URL,
  type JwtIssuer,
  type TokenProvider,
  type TokenProviderOptions,
  type TokenStore,
} from '@connexease-kit/auth-core';
import defaultKy, { type KyInstance, replaceOption } from 'ky';
import { type ClientStoreOption, resolveClientStore } from './client-store.ts';
import { withAuthHooks } from './hooks.ts';
import { createJwtIssuer } from './issuer.ts';
import { baseUrlWithSlash, checkTimeoutMs, DEFAULT_TIMEOUT_MS } from './options-check.ts';
import { STORE_LOADERS, type StoreLoaders } from './store-loaders.ts';

/** Configuration of {@link createConnexeaseClient}. */
export interface ConnexeaseClientConfig extends Omit<TokenProviderOptions, 'issuer' | 'store'> {
  /** `{ accessToken }` (Bearer, recommended) or `{ username, password }` (legacy JWT from `POST /jwt/`). */
  credentials: TokenProviderOptions['credentials'];
  /** API base URL. Default `https://api.connexease.com`. */
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
  /**
   * A ky instance to build on (proxy `dispatcher`, custom `fetch`, your own hooks). The client extends
   * it; its retry policy is replaced by the client's. Default: ky's own instance.
   */
  ky?: KyInstance;
}

/** What {@link createConnexeaseClient} returns. */
export interface ConnexeaseClient {
  /**
   * A ky instance for the API: relative inputs resolve against `baseUrl`, `Accept: application/json`,
   * every request signed, one refresh-and-retry on 401, and ky retries only for 5XX (500, 502, 503,
   * 504) and network errors on GET, HEAD, OPTIONS, PUT and DELETE: never for a 4XX, never for POST or
   * PATCH.
   */
  api: KyInstance;
  /**
   * The token provider behind `api`: `status()`, `unblock()`, `onEvent()`, `getAuthorization()` for
   * other HTTP clients, `handleUnauthorized()` (so `authHooks(auth)` can sign another ky instance), and
   * `close()`, which stops background refresh and closes the store if the client created it.
   */
  auth: TokenProvider;
}

/** The API statuses ky retries (idempotent methods only): server errors that may pass. Never a 4XX. */
const RETRY_STATUS_CODES: readonly number[] = [500, 502, 503, 504];
const RETRY_METHODS: readonly string[] = ['get', 'head', 'options', 'put', 'delete'];
/** ky attempts after the first one. The 401 refresh uses one of them when it happens. */
const RETRY_LIMIT = 2;
/** Longest pause before a ky retry, `Retry-After` included. */
const MAX_RETRY_DELAY_MS = 5_000;

/**
 * Creates a ready Connexease API client: a ky instance signed by a token provider (see
 * `createTokenProvider` in `@connexease-kit/auth-core`) that issues at most the configured daily
 * quota of JWTs, shares them through `store`, and never retries a 4XX from `POST /jwt/`.
 *
 * Errors from the provider (`QUOTA_EXHAUSTED`, `INVALID_CREDENTIALS`, `BLOCKED`, `TOKEN_REJECTED`, …)
 * reach the caller as `ConnexeaseAuthError`, not wrapped by ky. Other HTTP failures stay ky's
 * `HTTPError`, with the token in its `request`'s `Authorization` header redacted.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` for invalid options (nothing is sent, nothing leaks).
 *
 * @example
 * const { api, auth } = createConnexeaseClient({ credentials: { accessToken: process.env.TOKEN! } });
 * const me = await api.get('some/endpoint/').json();
 * await auth.close();
 */
export function createConnexeaseClient(config: ConnexeaseClientConfig): ConnexeaseClient {
  return buildConnexeaseClient(config);
}

/** What {@link buildConnexeaseClient} takes besides the public config. */
export interface ClientInternals {
  /** Used as the store instead of `config.store`, and closed by `auth.close()`. */
  ownedStore?: TokenStore;
  /** Loads `@connexease-kit/token-store-file` for `store: 'file'`. Default: `import()`. */
  loadFileStore?: StoreLoaders['file'];
}

/**
 * {@link createConnexeaseClient} with internals: `createConnexeaseClientFromEnv` hands over the store
 * it made, and tests replace the file store loader.
 */
export function buildConnexeaseClient(
  config: ConnexeaseClientConfig,
  internals: ClientInternals = {},
): ConnexeaseClient {
  const { store: storeOption, timeoutMs: givenTimeout, ky: givenKy, ...providerOptions } = config;
  const baseUrl = baseUrlWithSlash(config.baseUrl ?? DEFAULT_BASE_URL, 'baseUrl');
  const timeoutMs = checkTimeoutMs(givenTimeout ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const base = givenKy ?? defaultKy;
  const isPassword =
    typeof config.credentials === 'object' &&
    config.credentials !== null &&
    !('accessToken' in config.credentials);

  const { store, owned } =
    internals.ownedStore === undefined
      ? resolveClientStore(storeOption, isPassword, {
          onEvent: config.onEvent,
          loadFileStore: internals.loadFileStore ?? STORE_LOADERS.file,
        })
      : { store: internals.ownedStore, owned: internals.ownedStore };
  const clock = config.clock;
  // The issuer stamps `receivedAt` on the provider's clock, so an injected clock sees consistent times.
  const now = clock === undefined ? undefined : () => clock.now();
  const issuer: JwtIssuer | undefined = isPassword
    ? createJwtIssuer({ baseUrl, ky: base, timeoutMs, ...(now === undefined ? {} : { now }) })
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

  let closing: Promise<void> | undefined;
  const close = async (): Promise<void> => {
    try {
      await provider.close();
    } finally {
      await owned?.close();
    }
  };
  // The provider itself, except that closing also closes a store the client made.
  const auth: TokenProvider = Object.freeze({
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

  // A function, so the auth hooks are placed among the base instance's own (see withAuthHooks).
  const api = base.extend((defaults) => ({
    baseUrl,
    headers: { accept: 'application/json' },
    timeout: timeoutMs,
    retry: replaceOption({
      limit: RETRY_LIMIT,
      methods: [...RETRY_METHODS],
      statusCodes: [...RETRY_STATUS_CODES],
      afterStatusCodes: [503],
      // A 503's Retry-After is honoured, but never beyond this: a call should not sleep for an hour.
      maxRetryAfter: MAX_RETRY_DELAY_MS,
      backoffLimit: MAX_RETRY_DELAY_MS,
      retryOnTimeout: false,
    }),
    hooks: replaceOption(withAuthHooks(defaults.hooks, auth)),
  }));
  return { api, auth };
}
