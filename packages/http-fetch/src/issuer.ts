import type { JwtIssuer } from '@connexease-kit/auth-core';
import { createHttpJwtIssuer } from '@connexease-kit/auth-core/transport';
import { defaultFetch } from './auth-fetch.ts';
import type { FetchLike } from './fetch-types.ts';

/** Options of {@link createJwtIssuer}. */
export interface JwtIssuerOptions {
  /** API base URL; the token endpoint is `<baseUrl>/jwt/`. Absolute `http:`/`https:` URL. */
  baseUrl: string;
  /**
   * The fetch to send `POST /jwt/` with (undici's with a proxy `dispatcher`, a logging wrapper). Not
   * a signed one: the token request carries no `Authorization`. Default: `globalThis.fetch`.
   */
  fetch?: FetchLike;
  /**
   * Deadline for the whole attempt, from sending to the last byte of the body. Default 10 000 ms.
   * When it passes the attempt fails with a retryable `TIMEOUT`.
   */
  timeoutMs?: number;
  /** Local clock for `receivedAt`; inject the provider's clock in tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Creates the {@link JwtIssuer} the token provider calls, over `fetch`: every call makes exactly one
 * `POST /jwt/` attempt with a JSON body `{ username, password }` and `Accept: application/json`
 * (the provider owns retries, because each attempt costs daily quota), and classifies the answer with
 * `classifyJwtResponse`. Redirects are not followed: a 3XX is `INVALID_RESPONSE` (fix `baseUrl`), so
 * the password never goes to another URL.
 *
 * Failures are `ConnexeaseAuthError`s, and none of them holds the password:
 * - 4XX and unusable 2XX answers (HTML, not JSON, no token): `INVALID_REQUEST`, `INVALID_CREDENTIALS`,
 *   `AGENT_BANNED`, `ACCOUNT_INACTIVE`, `INVALID_RESPONSE`; a 4XX is never retryable;
 * - 5XX, connection refused or reset: `TOKEN_ENDPOINT_UNAVAILABLE`, retryable;
 * - no complete answer within `timeoutMs`: `TIMEOUT`, retryable;
 * - the caller's `signal` aborted: `ABORTED`.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` at creation for a bad `baseUrl` or `timeoutMs`.
 *
 * @example
 * const issuer = createJwtIssuer({ baseUrl: 'https://api.connexease.com' });
 * const provider = createTokenProvider({ credentials, issuer, store: createMemoryTokenStore() });
 */
export function createJwtIssuer(options: JwtIssuerOptions): JwtIssuer {
  const fetchImpl = options.fetch ?? defaultFetch;
  return createHttpJwtIssuer({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    now: options.now,
    send: ({ url, headers, body, signal }) =>
      fetchImpl(url, { method: 'POST', headers, body, signal, redirect: 'manual' }),
  });
}
