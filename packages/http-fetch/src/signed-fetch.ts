import { ConnexeaseAuthError, type TokenProvider } from '@connexease-kit/auth-core';
import type { FetchLike } from './fetch-types.ts';
import { type Outgoing, type OutgoingOptions, requestOutgoing, urlOutgoing } from './outgoing.ts';
import { redactThrown } from './redact-thrown.ts';

/** What a signed fetch needs from a provider: the header, and what to do after a 401. */
export type AuthorizationSource = Pick<TokenProvider, 'getAuthorization' | 'handleUnauthorized'>;

/**
 * A fetch that signs every call with `provider` and resends it once after a 401 (see `authFetch`).
 * `options` adds what `createConnexeaseFetch` needs: a base URL, a default `Accept`, a timeout.
 */
export function signedFetch(provider: AuthorizationSource, options: OutgoingOptions): FetchLike {
  return async function connexeaseFetch(input, init) {
    const outgoing =
      typeof Request !== 'undefined' && input instanceof Request
        ? await requestOutgoing(input, init, options)
        : urlOutgoing(input as string | URL, init, options);
    const signal = outgoing.signal;
    const authorization = await provider.getAuthorization(signal === undefined ? {} : { signal });
    const response = await sendRedacted(outgoing.send, authorization);
    if (response.status !== 401) return response;
    return resendOnce(provider, outgoing, authorization, response);
  };
}

/** After a 401: one refresh through the provider, one resend, and never a second one. */
async function resendOnce(
  provider: AuthorizationSource,
  outgoing: Outgoing,
  rejected: string,
  response: Response,
): Promise<Response> {
  discard(response);
  const signal = outgoing.signal;
  // Throws ACCESS_TOKEN_REJECTED for a Bearer token, BLOCKED, QUOTA_EXHAUSTED, …
  const fresh = await provider.handleUnauthorized(rejected, signal === undefined ? {} : { signal });
  if (!outgoing.replayable) {
    throw new ConnexeaseAuthError(
      'TOKEN_REJECTED',
      'The API answered 401; the token was refreshed, but the request body was a stream that is already ' +
        'spent, so the request was not resent: send it again (the next call uses the new token)',
      { status: 401 },
    );
  }
  const second = await sendRedacted(outgoing.send, fresh);
  if (second.status !== 401) return second;
  discard(second);
  // The provider explains it (ENDPOINT_REFUSED: the endpoint refuses the user) and never refreshes for it.
  await provider.handleUnauthorized(
    fresh,
    signal === undefined ? { retried: true } : { signal, retried: true },
  );
  throw new ConnexeaseAuthError(
    'TOKEN_REJECTED',
    'The API answered 401 again after the token was refreshed once; not refreshing again',
    { status: 401 },
  );
}

async function sendRedacted(
  send: (authorization: string) => Promise<Response>,
  authorization: string,
): Promise<Response> {
  try {
    return await send(authorization);
  } catch (error) {
    throw redactThrown(error, authorization);
  }
}

/** Lets go of a response nobody will read, so its connection goes back to the pool. */
function discard(response: Response): void {
  void response.body?.cancel().catch(() => {});
}
