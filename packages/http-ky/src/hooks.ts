import { ConnexeaseAuthError, type TokenProvider } from '@connexease-kit/auth-core';
import ky, { type AfterResponseState, type BeforeErrorState, type BeforeRequestState, type Hooks } from 'ky';
import { isIssuerRequest } from './issuer-marker.ts';

/** What {@link authHooks} needs from a provider: the header, and what to do after a 401. */
export type AuthorizationSource = Pick<TokenProvider, 'getAuthorization' | 'handleUnauthorized'>;

/**
 * ky hooks (ky 2 state-object hooks) that sign every request with the provider's `Authorization`
 * value and recover from one 401:
 *
 * - `beforeRequest` sets `Authorization` from `provider.getAuthorization({ signal })` (no I/O while a
 *   held token is not due). Errors from the provider (`QUOTA_EXHAUSTED`, `BLOCKED`, `ABORTED`, …) are
 *   thrown as they are; ky does not wrap them.
 * - `afterResponse` on a 401 reports the rejected header to `provider.handleUnauthorized` and retries
 *   the request once with the header it returns (`ky.retry`, so bodies such as POST JSON are resent
 *   intact and `beforeRetry` hooks see it). A second 401 for the same call is reported with
 *   `{ retried: true }` and thrown as the provider's `ConnexeaseAuthError` (`ENDPOINT_REFUSED`, status 401:
 *   the endpoint refuses the API user): never a second refresh, never a loop. With an Account Access
 *   Token the provider answers the first 401 with `ACCESS_TOKEN_REJECTED`.
 * - `beforeError` replaces the token in the `Authorization` header of the `request` that ky's errors
 *   carry (`HTTPError`, `NetworkError`, `TimeoutError`) with `<scheme> [REDACTED]`, so logging or
 *   inspecting those errors does not print it. Hooks that run before it still see the real value.
 *
 * The 401 retry goes through ky's retry machinery, so it needs `retry.limit` >= 1 (ky's default is 2)
 * with an attempt left; when none is left the 401 is reported to the provider and `TOKEN_REJECTED` is
 * thrown. 401 should not be in `retry.statusCodes`: this hook is the only thing that retries it.
 *
 * @example
 * const api = ky.create({ baseUrl: 'https://api.connexease.com/' }).extend({ hooks: authHooks(provider) });
 */
export function authHooks(provider: AuthorizationSource): Hooks {
  // ky builds one `options.headers` object per call and keeps it across that call's retries, so it
  // identifies the call without adding a marker header to the request the server sees.
  const refreshedCalls = new WeakSet<Headers>();

  const signRequest = async ({ request, options }: BeforeRequestState): Promise<void> => {
    if (isIssuerRequest(options.context)) return;
    const authorization = await provider.getAuthorization({ signal: request.signal });
    request.headers.set('authorization', authorization);
  };

  const recoverFromUnauthorized = async ({ request, options, response, retryCount }: AfterResponseState) => {
    if (response.status !== 401 || isIssuerRequest(options.context)) return;
    const rejected = request.headers.get('authorization');
    if (rejected === null) return;
    if (refreshedCalls.has(options.headers)) {
      // The provider explains it (the endpoint refuses the user) and never refreshes for a retried call.
      await provider.handleUnauthorized(rejected, { signal: request.signal, retried: true });
      throw new ConnexeaseAuthError(
        'TOKEN_REJECTED',
        'The API answered 401 again after the token was refreshed once; not refreshing again',
        { status: 401 },
      );
    }
    const fresh = await provider.handleUnauthorized(rejected, { signal: request.signal });
    if (retryCount >= options.retry.limit) {
      throw new ConnexeaseAuthError(
        'TOKEN_REJECTED',
        `The API answered 401; the token was refreshed, but ky's retry.limit (${options.retry.limit}) ` +
          'left no attempt to resend the request with it',
        { status: 401 },
      );
    }
    refreshedCalls.add(options.headers);
    const headers = new Headers(request.headers);
    headers.set('authorization', fresh);
    // `request` is ky's unsent clone, so its body (e.g. POST JSON) is still readable and moves over.
    return ky.retry({
      request: new Request(request, { headers }),
      code: 'CONNEXEASE_TOKEN_REFRESHED',
      delay: 0,
    });
  };

  const redactErrorRequest = ({ error, request }: BeforeErrorState): Error => {
    redactAuthorization(request);
    const carried = (error as { request?: unknown }).request;
    if (carried instanceof Request && carried !== request) redactAuthorization(carried);
    return error;
  };

  return {
    beforeRequest: [signRequest],
    afterResponse: [recoverFromUnauthorized],
    beforeError: [redactErrorRequest],
  };
}

function redactAuthorization(request: Request): void {
  const value = request.headers.get('authorization');
  if (value === null) return;
  const space = value.indexOf(' ');
  const scheme = space > 0 ? value.slice(0, space) : 'Authorization';
  try {
    request.headers.set('authorization', `${scheme} [REDACTED]`);
  } catch {
    // Immutable headers (a Request the runtime built) cannot be changed; nothing more can be done here.
  }
}
