import { formatDuration } from '../duration.ts';
import { ConnexeaseAuthError, isConnexeaseAuthError } from '../errors.ts';
import { classifyJwtResponse, type HeadersLike } from '../issuer/classify.ts';
import type { IssuedToken, IssueRequest, JwtIssuer } from '../issuer/issuer.ts';
import { baseUrlWithSlash, checkTimeoutMs, DEFAULT_TIMEOUT_MS } from './options.ts';
import { sanitizeTransportError } from './transport-error.ts';

/** One `POST /jwt/` request, as a transport must send it. */
export interface JwtHttpRequest {
  /** The token endpoint, `<baseUrl>/jwt/`: absolute, a fresh object per attempt. */
  url: URL;
  /** `accept` and `content-type`, both `application/json`. */
  headers: Record<string, string>;
  /** The JSON body `{ "username", "password" }`. It holds the password: never log it or keep it. */
  body: string;
  /** Aborts on the caller's signal and on the attempt's deadline; covers the body too. */
  signal: AbortSignal;
}

/** What the transport hands back: a Fetch `Response` fits. The status is never thrown for. */
export interface JwtHttpResponse {
  status: number;
  headers: HeadersLike;
  text(): Promise<string>;
}

/**
 * Sends one `POST /jwt/` exactly once (no retries, no redirects followed with the password, no
 * `Authorization`) and resolves with the answer whatever its status; rejects only when no answer came.
 */
export type JwtHttpSend = (request: JwtHttpRequest) => Promise<JwtHttpResponse>;

/** Options of {@link createHttpJwtIssuer}. */
export interface HttpJwtIssuerOptions {
  /** API base URL; the token endpoint is `<baseUrl>/jwt/`. Absolute `http:`/`https:` URL. */
  baseUrl: string;
  /** The transport: ky, fetch, or anything else that can POST. */
  send: JwtHttpSend;
  /** Deadline for the whole attempt, from sending to the last byte of the body. Default 10 000 ms. */
  timeoutMs?: number;
  /** Local clock for `receivedAt`; inject the provider's clock in tests. Default `Date.now`. */
  now?: () => number;
}

/**
 * The transport-neutral `POST /jwt/` issuer behind http-ky's and http-fetch's `createJwtIssuer`: every
 * call makes exactly one attempt through `send` (the provider owns retries, because each attempt
 * costs daily quota) and classifies the answer with `classifyJwtResponse` (which also reads the `Date`
 * header for clock skew).
 *
 * Failures are `ConnexeaseAuthError`s, and none of them holds the password or the transport's
 * request objects:
 * - 4XX and unusable 2XX answers: the classified error (`INVALID_REQUEST`, `INVALID_CREDENTIALS`,
 *   `AGENT_BANNED`, `ACCOUNT_INACTIVE`, `INVALID_RESPONSE`), never retryable;
 * - 5XX: `TOKEN_ENDPOINT_UNAVAILABLE`, retryable;
 * - connection refused or reset, DNS failure: `TOKEN_ENDPOINT_UNAVAILABLE`, retryable, with a
 *   sanitised `cause` (name, message and low-level codes only);
 * - no complete answer within `timeoutMs`: `TIMEOUT`, retryable;
 * - the caller's `signal` aborted: `ABORTED`.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` at creation for a bad `baseUrl` or `timeoutMs`.
 */
export function createHttpJwtIssuer(options: HttpJwtIssuerOptions): JwtIssuer {
  const endpoint = new URL('jwt/', baseUrlWithSlash(options.baseUrl, 'baseUrl'));
  const timeoutMs = checkTimeoutMs(options.timeoutMs ?? DEFAULT_TIMEOUT_MS, 'timeoutMs');
  const { send } = options;
  const now = options.now ?? Date.now;

  return async function issueJwt(request: IssueRequest): Promise<IssuedToken> {
    const { signal } = request;
    if (signal?.aborted) throw abortedError();
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    try {
      const response = await send({
        url: new URL(endpoint),
        headers: { accept: 'application/json', 'content-type': 'application/json' },
        body: JSON.stringify({ username: request.username, password: request.password }),
        // One deadline for the whole attempt (headers and body), enforced by our own signal.
        signal: signal === undefined ? deadline.signal : AbortSignal.any([signal, deadline.signal]),
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
