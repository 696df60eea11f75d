import type { FetchLike } from './fetch-types.ts';
import { type AuthorizationSource, signedFetch } from './signed-fetch.ts';

/**
 * Signs an existing `fetch` with a token provider (`createTokenProvider` of auth-core, or `auth` from
 * `createConnexeaseFetch`/`createConnexeaseClient`): a standard fetch that sets `Authorization` on every
 * call from `provider.getAuthorization({ signal })` (no I/O while a held token is not due) and, on a
 * 401, reports the rejected header to `provider.handleUnauthorized` and resends the call once with the
 * header it returns, body intact. A second 401 for the same call throws `ConnexeaseAuthError`
 * `ENDPOINT_REFUSED` (status 401: the endpoint refuses this API user): never a second refresh, never a loop. With an Account Access Token the
 * provider answers the first 401 with `ACCESS_TOKEN_REJECTED`.
 *
 * Inputs are what `fetchImpl` takes: absolute URLs (no base URL is applied; `createConnexeaseFetch`
 * does that) or `Request`s. Nothing else is changed: other statuses are returned as they are, and no
 * timeout or retry is added. A `Request` with a body is cloned so it can be resent; a
 * `ReadableStream` body in `init` is never buffered, so a 401 to it refreshes the token and throws
 * `TOKEN_REJECTED` instead of resending. Errors `fetchImpl` throws are rethrown as they are, except that
 * a token they would show is redacted.
 *
 * Do not give the issuer (`createJwtIssuer({ fetch })`) a signed fetch: `POST /jwt/` must go unsigned.
 *
 * @example
 * const signed = authFetch(provider); // globalThis.fetch underneath
 * const response = await signed('https://api.connexease.com/some/endpoint/');
 */
export function authFetch(provider: AuthorizationSource, fetchImpl: FetchLike = defaultFetch): FetchLike {
  return signedFetch(provider, { fetchImpl, resolve: undefined, accept: undefined, timeoutMs: undefined });
}

/** `globalThis.fetch`, looked up at call time so a fetch installed later (or a test's spy) is used. */
export const defaultFetch: FetchLike = (input, init) => globalThis.fetch(input, init);
