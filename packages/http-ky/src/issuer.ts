import {
  ConnexeaseAuthError,
  classifyJwtResponse,
  formatDuration,
  type IssuedToken,
  type IssueRequest,
  isConnexeaseAuthError,
  type JwtIssuer,
} from '@connexease-kit/auth-core';
import defaultKy, { type KyInstance } from 'ky';
import { ISSUER_REQUEST } from './issuer-marker.ts';
import { baseUrlWithSlash, checkTimeoutMs, DEFAULT_TIMEOUT_MS } from './options-check.ts';
import { sanitizeTransportError } from './transport-error.ts';

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
  const endpoint = new URL('jwt/', baseUrlWithSlash(options.baseUrl, 'baseUrl'));
  const timeoutMs = checkTimeoutMs(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const client = options.ky ?? defaultKy;
  const now = options.now ?? Date.now;

  return async function issueJwt(request: IssueRequest): Promise<IssuedToken> {
    const { signal } = request;
    if (signal?.aborted) throw abortedError();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      // A URL object (not a string) so the instance's `baseUrl`/`prefix` cannot redirect the request.
      const response = await client.post(new URL(endpoint), {
        json: { username: request.username, password: request.password },
        headers: { accept: 'application/json' },
        retry: 0,
        throwHttpErrors: false,
        // One deadline for the whole attempt (headers and body), enforced by our own signal.
        timeout: false,
        signal: signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]),
        context: { [ISSUER_REQUEST]: true },
      });
      const receivedAt = now();
      const bodyText = await response.text();
      const result = classifyJwtResponse(response.status, response.headers, bodyText, {
        receivedAt,
        redact: [request.password],
      });
      if (result.ok) return result.issued;
      throw result.error;
    } catch (error) {
      if (isConnexeaseAuthError(error)) throw error;
      if (signal?.aborted) throw abortedError();
      if (deadline.signal.aborted) {
        throw new ConnexeaseAuthError(
          'TIMEOUT',
          `POST /jwt/ did not complete within ${formatDuration(timeoutMs)}`,
          {
            retryable: true,
          },
        );
      }
      throw new ConnexeaseAuthError(
        'TOKEN_ENDPOINT_UNAVAILABLE',
        'POST /jwt/ failed before a complete answer arrived (network error or connection reset)',
        { retryable: true, cause: sanitizeTransportError(error) },
      );
    } finally {
      clearTimeout(timer);
    }
  };
}

function abortedError(): ConnexeaseAuthError {
  return new ConnexeaseAuthError('ABORTED', 'POST /jwt/ was aborted by the caller');
}
