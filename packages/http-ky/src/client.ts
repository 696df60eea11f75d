import type { TokenProvider } from '@connexease-kit/auth-core';
import {
  baseUrlWithSlash,
  type ClientInternals,
  createClientAuth,
  type TransportClientConfig,
} from '@connexease-kit/auth-core/transport';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import defaultKy, { type KyInstance, replaceOption } from 'ky';
import { authHooks } from './hooks.ts';
import { createJwtIssuer } from './issuer.ts';
import { STORE_LOADERS } from './store-loaders.ts';

/** Configuration of {@link createConnexeaseClient}. */
export interface ConnexeaseClientConfig extends TransportClientConfig {
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
  /**
   * `api` for another Connexease host (statistics at `https://stream.connexease.com`, say): the same
   * settings, the same provider, token and quota; relative inputs resolve against `baseUrl`. The JWT
   * is still issued by `POST /jwt/` on the API host only: nothing is sent to `/jwt/` on this one.
   *
   * @throws ConnexeaseAuthError `CONFIG_INVALID` for a `baseUrl` that is not an absolute http(s) URL.
   */
  forHost(baseUrl: string): KyInstance;
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
 * Errors from the provider (`QUOTA_EXHAUSTED`, `INVALID_CREDENTIALS`, `BLOCKED`, `ENDPOINT_REFUSED`, …)
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

/**
 * {@link createConnexeaseClient} with internals: `createConnexeaseClientFromEnv` hands over the store
 * it made, and tests replace the file store loader.
 */
export function buildConnexeaseClient(
  config: ConnexeaseClientConfig,
  internals: ClientInternals = {},
): ConnexeaseClient {
  const { ky: givenKy, ...clientConfig } = config;
  const base = givenKy ?? defaultKy;
  const { auth, baseUrl, timeoutMs } = createClientAuth(
    clientConfig,
    {
      makeIssuer: ({ baseUrl, timeoutMs, now }) => createJwtIssuer({ baseUrl, ky: base, timeoutMs, now }),
      createMemoryStore: createMemoryTokenStore,
      loadFileStore: STORE_LOADERS.file,
    },
    internals,
  );

  const api = base.extend({
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
    hooks: authHooks(auth),
  });
  // The issuer sends to its own absolute URL, so another baseUrl never moves POST /jwt/ off the API host.
  const forHost = (hostUrl: string): KyInstance =>
    api.extend({ baseUrl: baseUrlWithSlash(hostUrl, 'forHost(baseUrl)') });
  return { api, auth, forHost };
}
