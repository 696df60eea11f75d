import { ConnexeaseAuthError, type TokenProvider } from '@connexease-kit/auth-core';
import { redactAuthorizationHeader } from '@connexease-kit/auth-core/transport';
import type {
  BeforeErrorHook,
  BeforeErrorState,
  BeforeRequestState,
  BeforeRetryState,
  Hooks,
  Options,
} from 'ky';
import { isIssuerRequest } from './issuer-marker.ts';
import { type CallRecovery, unauthorizedAttempt, unauthorizedRetry } from './unauthorized-attempt.ts';

/** What {@link authHooks} needs from a provider: the header, and what to do after a 401. */
export type AuthorizationSource = Pick<TokenProvider, 'getAuthorization' | 'handleUnauthorized'>;

type Fetch = NonNullable<Options['fetch']>;

// Called through globalThis at send time, as ky does, so a fetch patched later is still used.
const globalFetch: Fetch = (input, init) => globalThis.fetch(input, init);

/**
 * ky hooks (ky 2 state-object hooks) that sign every request with the provider's `Authorization`
 * value and recover from one 401:
 *
 * - `beforeRequest` sets `Authorization` from `provider.getAuthorization({ signal })` (no I/O while a
 *   held token is not due). Errors from the provider (`QUOTA_EXHAUSTED`, `BLOCKED`, `ABORTED`, …) are
 *   thrown as they are; ky does not wrap them.
 * - An `init` hook wraps the call's `fetch` (yours, if you set one) to notice a 401 as it arrives and
 *   turn it into a ky forced retry. No `afterResponse` hook is used, so ky does not clone every
 *   response for one: a 401 is recovered before `afterResponse` hooks run, and they only see the
 *   response the recovery ends with.
 * - `beforeRetry` reports the rejected header to `provider.handleUnauthorized` and resends the request
 *   once with the header it returns, through ky's retry pipeline: bodies such as POST JSON are resent
 *   intact, the retry counts against `retry.limit`, it gets its own per-attempt `timeout` (the wait
 *   for a fresh token does not), and `beforeRetry` hooks after this one see the fresh header and a
 *   `ForceRetryError` with code `CONNEXEASE_UNAUTHORIZED`. A second 401 for the same call is reported
 *   with `{ retried: true }` and thrown as the provider's `ConnexeaseAuthError` (`ENDPOINT_REFUSED`,
 *   status 401: the endpoint refuses the API user, the token is kept): never a second refresh, never a loop.
 *   With an Account Access Token the provider answers the first 401 with `ACCESS_TOKEN_REJECTED`.
 * - `beforeError` turns a 401 that found no retry left into `TOKEN_REJECTED` (after reporting it to
 *   the provider), and replaces the token in the `Authorization` header of the `request` that ky's
 *   errors carry (`HTTPError`, `NetworkError`, `TimeoutError`) with `<scheme> [REDACTED]`, so logging
 *   or inspecting those errors does not print it. Hooks that run before it still see the real value.
 *
 * The 401 retry needs `retry.limit` >= 1 (ky's default is 2) with an attempt left; when none is left
 * the 401 is reported to the provider and `TOKEN_REJECTED` is thrown. 401 should not be in
 * `retry.statusCodes`: these hooks are the only thing that retries it. Hooks of yours registered
 * before these run first: put `authHooks` first in `beforeRetry` and `beforeError` if yours must see
 * the fresh header and `TOKEN_REJECTED` (`createConnexeaseClient` does).
 *
 * @example
 * const api = ky.create({ baseUrl: 'https://api.connexease.com/' }).extend({ hooks: authHooks(provider) });
 */
export function authHooks(provider: AuthorizationSource): Hooks {
  const { init, beforeRequest, beforeRetry, beforeError, redact } = authHookParts(provider);
  return { init, beforeRequest, beforeRetry, beforeError: [...beforeError, ...redact] };
}

/**
 * `hooks` (a ky instance's defaults) with {@link authHooks} added where they see the most: signing
 * after your `beforeRequest` hooks and redaction after your `beforeError` hooks, the 401 refresh and
 * its settlement before yours, so your `beforeRetry` hooks see the fresh header and your `beforeError`
 * hooks see `TOKEN_REJECTED` rather than ky's internal retry.
 */
export function withAuthHooks(hooks: Hooks | undefined, provider: AuthorizationSource): Hooks {
  const parts = authHookParts(provider);
  return {
    ...hooks,
    init: [...(hooks?.init ?? []), ...parts.init],
    beforeRequest: [...(hooks?.beforeRequest ?? []), ...parts.beforeRequest],
    beforeRetry: [...parts.beforeRetry, ...(hooks?.beforeRetry ?? [])],
    beforeError: [...parts.beforeError, ...(hooks?.beforeError ?? []), ...parts.redact],
  };
}

interface AuthHookParts {
  init: NonNullable<Hooks['init']>;
  beforeRequest: NonNullable<Hooks['beforeRequest']>;
  beforeRetry: NonNullable<Hooks['beforeRetry']>;
  beforeError: BeforeErrorHook[];
  redact: BeforeErrorHook[];
}

function authHookParts(provider: AuthorizationSource): AuthHookParts {
  return {
    init: [watchForUnauthorized(provider)],
    beforeRequest: [signRequest(provider)],
    beforeRetry: [refreshForRetry(provider)],
    beforeError: [settleUnauthorized(provider)],
    redact: [redactErrorRequest],
  };
}

function signRequest(provider: AuthorizationSource): NonNullable<Hooks['beforeRequest']>[number] {
  return async ({ request, options }: BeforeRequestState): Promise<void> => {
    if (isIssuerRequest(options.context)) return;
    const authorization = await provider.getAuthorization({ signal: request.signal });
    request.headers.set('authorization', authorization);
  };
}

/**
 * One wrapper per call: its closure is the call's recovery state, and it wraps whatever `fetch` the
 * call would use, so `extend({ fetch })` later keeps the 401 recovery.
 */
function watchForUnauthorized(provider: AuthorizationSource): NonNullable<Hooks['init']>[number] {
  return (options: Options): void => {
    if (isIssuerRequest(options.context)) return;
    options.fetch = fetchThatRetriesUnauthorized(options.fetch ?? globalFetch, provider);
  };
}

function refreshForRetry(provider: AuthorizationSource): NonNullable<Hooks['beforeRetry']>[number] {
  return async ({ request, error }: BeforeRetryState): Promise<void> => {
    const attempt = unauthorizedAttempt(error);
    if (attempt === undefined) return;
    let fresh: string;
    try {
      fresh = await provider.handleUnauthorized(attempt.rejected, { signal: request.signal });
    } catch (failure) {
      // Rethrowing ky's own error (not a new one) sends it through `beforeError` hooks, as the
      // provider's errors always went; `settleUnauthorized` swaps the provider's error back in.
      attempt.failure = asError(failure);
      throw error;
    }
    attempt.call.refreshed = true;
    // `request` is ky's unsent copy, which the retry sends, so the new header goes with the body.
    request.headers.set('authorization', fresh);
  };
}

function settleUnauthorized(provider: AuthorizationSource): BeforeErrorHook {
  return async ({ error, request, options }: BeforeErrorState): Promise<Error> => {
    const attempt = unauthorizedAttempt(error);
    if (attempt === undefined) return error;
    if (attempt.failure !== undefined) return attempt.failure;
    // No retry was left: still tell the provider, so the next call has a fresh token.
    try {
      await provider.handleUnauthorized(attempt.rejected, { signal: request.signal });
    } catch (failure) {
      return asError(failure);
    }
    return new ConnexeaseAuthError(
      'TOKEN_REJECTED',
      `The API answered 401; the token was refreshed, but ky's retry.limit (${options.retry.limit}) ` +
        'left no attempt to resend the request with it',
      { status: 401 },
    );
  };
}

function redactErrorRequest({ error, request }: BeforeErrorState): Error {
  redactAuthorizationHeader(request.headers);
  const carried = (error as { request?: unknown }).request;
  if (carried instanceof Request && carried !== request) redactAuthorizationHeader(carried.headers);
  return error;
}

/**
 * `send`, except that a 401 to a signed request becomes a forced ky retry (or, if the call already
 * refreshed once, the provider's `ENDPOINT_REFUSED`). Only the status is looked at: the response is never cloned.
 */
function fetchThatRetriesUnauthorized(send: Fetch, provider: AuthorizationSource): Fetch {
  const call: CallRecovery = { refreshed: false };
  return async (input, init) => {
    const response = await send(input, init);
    if (response.status !== 401 || !(input instanceof Request)) return response;
    const rejected = input.headers.get('authorization');
    if (rejected === null) return response;
    void response.body?.cancel().catch(() => {});
    if (call.refreshed) {
      // The provider explains it (ENDPOINT_REFUSED: the endpoint refuses the user) and never refreshes for it.
      await provider.handleUnauthorized(rejected, { signal: input.signal, retried: true });
      throw new ConnexeaseAuthError(
        'TOKEN_REJECTED',
        'The API answered 401 again after the token was refreshed once; not refreshing again',
        { status: 401 },
      );
    }
    throw unauthorizedRetry({ rejected, call });
  };
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
