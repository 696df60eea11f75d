import type { JwtIssuer } from '@connexease-kit/auth-core';
import { createHttpJwtIssuer } from '@connexease-kit/auth-core/transport';
import defaultKy, { type KyInstance } from 'ky';
import { ISSUER_REQUEST } from './issuer-marker.ts';

/** Options of {@link createJwtIssuer}. */
export interface JwtIssuerOptions {
  /** API base URL; the token endpoint is `<baseUrl>/jwt/`. Absolute `http:`/`https:` URL. */
  baseUrl: string;
  /**
   * The ky instance to send `POST /jwt/` with (proxy, custom `fetch`, logging hooks). Its retry,
   * timeout, `throwHttpErrors` and URL options are overridden for this request. Default: ky's own.
   */
  ky?: KyInstance;
  /**
   * Deadline for the whole attempt, from sending to the last byte of the body. Default 10 000 ms.
   * When it passes the attempt fails with a retryable `TIMEOUT`.
   */
  timeoutMs?: number;
  /** Local clock for `receivedAt`; inject the provider's clock in tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * Creates the {@link JwtIssuer} the token provider calls: every call makes exactly one `POST /jwt/`
 * attempt (no ky retries: the provider owns retries, because each attempt costs daily quota) with a
 * JSON body `{ username, password }` and `Accept: application/json`, and classifies the answer with
 * `classifyJwtResponse` (which also reads the `Date` header for clock skew).
 *
 * Failures are `ConnexeaseAuthError`s, and none of them holds the password or ky's request objects:
 * - 4XX and unusable 2XX answers: the classified error (`INVALID_REQUEST`, `INVALID_CREDENTIALS`,
 *   `AGENT_BANNED`, `ACCOUNT_INACTIVE`, `INVALID_RESPONSE`), never retryable;
 * - 5XX: `TOKEN_ENDPOINT_UNAVAILABLE`, retryable;
 * - connection refused or reset, DNS failure: `TOKEN_ENDPOINT_UNAVAILABLE`, retryable;
 * - no complete answer within `timeoutMs`: `TIMEOUT`, retryable;
 * - the caller's `signal` aborted: `ABORTED`.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` at creation for a bad `baseUrl` or `timeoutMs`.
 *
 * @example
 * const issuer = createJwtIssuer({ baseUrl: 'https://api.connexease.com' });
 * const provider = createTokenProvider({ credentials, issuer, store });
 */
export function createJwtIssuer(options: JwtIssuerOptions): JwtIssuer {
  const client = options.ky ?? defaultKy;
  return createHttpJwtIssuer({
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    now: options.now,
    // A URL object (not a string) so the instance's `baseUrl`/`prefix` cannot redirect the request.
    send: ({ url, headers, body, signal }) =>
      client.post(url, {
        body,
        headers,
        retry: 0,
        throwHttpErrors: false,
        // One deadline for the whole attempt (headers and body), enforced by the issuer's signal.
        timeout: false,
        signal,
        context: { [ISSUER_REQUEST]: true },
      }),
  });
}
