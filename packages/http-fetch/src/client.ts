import type { TokenProvider } from '@connexease-kit/auth-core';
import {
  baseUrlWithSlash,
  type ClientInternals,
  createClientAuth,
  type TransportClientConfig,
} from '@connexease-kit/auth-core/transport';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import { defaultFetch } from './auth-fetch.ts';
import type { FetchLike } from './fetch-types.ts';
import { createJwtIssuer } from './issuer.ts';
import { resolveAgainst } from './resolve-url.ts';
import { signedFetch } from './signed-fetch.ts';
import { STORE_LOADERS } from './store-loaders.ts';

/** Configuration of {@link createConnexeaseFetch}: `createConnexeaseClient`'s, with `fetch` instead of `ky`. */
export interface ConnexeaseFetchConfig extends TransportClientConfig {
  /**
   * The fetch underneath, for API calls and `POST /jwt/` alike: undici's with a custom `Agent`
   * (`(input, init) => fetch(input, { ...init, dispatcher })`), a logging wrapper, a test double.
   * Default: `globalThis.fetch`.
   */
  fetch?: FetchLike;
}

/** What {@link createConnexeaseFetch} returns. */
export interface ConnexeaseFetch {
  /**
   * A standard fetch for the API: string and `URL` inputs resolve against `baseUrl` (standard URL
   * resolution, so `'some/endpoint/'` extends its path and `'/x/'` replaces it), `Accept:
   * application/json` unless the call sets one, every call signed, one refresh-and-resend on a 401
   * (body intact), `timeoutMs` per attempt. Every other status is returned as a `Response`, as fetch
   * does; nothing else is retried.
   */
  fetch: FetchLike;
  /**
   * The token provider behind `fetch`: `status()`, `unblock()`, `onEvent()`, `getAuthorization()`,
   * `handleUnauthorized()` (so `authFetch(auth, …)` signs another fetch with the same token), and
   * `close()`, which stops background refresh and closes the store if the client created it.
   */
  auth: TokenProvider;
  /**
   * `fetch` for another Connexease host (statistics at `https://stream.connexease.com`, say): the same
   * provider, token and quota; relative inputs resolve against `baseUrl`. The JWT is still issued by
   * `POST /jwt/` on the API host only: nothing is sent to `/jwt/` on this one.
   *
   * @throws ConnexeaseAuthError `CONFIG_INVALID` for a `baseUrl` that is not an absolute http(s) URL.
   */
  forHost(baseUrl: string): FetchLike;
}

/**
 * Creates a signed fetch for the Connexease API, the twin of http-ky's `createConnexeaseClient`
 * without ky: the same configuration, validation, stores and guarantees (at most the configured daily
 * quota of JWTs, shared through `store`; never a retried 4XX from `POST /jwt/`; one refresh per 401).
 *
 * Errors from the provider (`QUOTA_EXHAUSTED`, `INVALID_CREDENTIALS`, `BLOCKED`, `TOKEN_REJECTED`, …)
 * reject the call as `ConnexeaseAuthError`. Network errors and timeouts are fetch's own, with any
 * token they could show redacted.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` for invalid options (nothing is sent, nothing leaks).
 *
 * @example
 * const { fetch, auth } = createConnexeaseFetch({ credentials: { accessToken: process.env.TOKEN! } });
 * const me = await (await fetch('some/endpoint/')).json();
 * await auth.close();
 */
export function createConnexeaseFetch(config: ConnexeaseFetchConfig): ConnexeaseFetch {
  return buildConnexeaseFetch(config);
}

/**
 * {@link createConnexeaseFetch} with internals: `createConnexeaseFetchFromEnv` hands over the store it
 * made, and tests replace the file store loader.
 */
export function buildConnexeaseFetch(
  config: ConnexeaseFetchConfig,
  internals: ClientInternals = {},
): ConnexeaseFetch {
  const { fetch: givenFetch, ...clientConfig } = config;
  const fetchImpl = givenFetch ?? defaultFetch;
  const { auth, baseUrl, timeoutMs } = createClientAuth(
    clientConfig,
    {
      makeIssuer: ({ baseUrl, timeoutMs, now }) =>
        createJwtIssuer({ baseUrl, fetch: fetchImpl, timeoutMs, now }),
      createMemoryStore: createMemoryTokenStore,
      loadFileStore: STORE_LOADERS.file,
    },
    internals,
  );
  const fetchFor = (base: string): FetchLike =>
    signedFetch(auth, {
      fetchImpl,
      resolve: resolveAgainst(base),
      accept: 'application/json',
      timeoutMs,
    });
  return {
    fetch: fetchFor(baseUrl),
    auth,
    // The issuer sends to its own absolute URL, so another base URL never moves POST /jwt/ off the API host.
    forHost: (hostUrl) => fetchFor(baseUrlWithSlash(hostUrl, 'forHost(baseUrl)')),
  };
}
