import { abortedError } from '../abort.ts';
import type { ResolvedProviderOptions } from '../config.ts';
import type { AccessTokenCredentials } from '../credentials.ts';
import { EventHub } from '../diagnostics/event-hub.ts';
import { ConnexeaseAuthError } from '../errors.ts';
import { namespaceFor } from '../secrets.ts';
import { formatAuthorization } from '../token/schemes.ts';
import type { AuthStatus, RequestOptions, TokenProvider } from './provider-types.ts';

/** The bearer provider plus what `createTokenProvider` needs to describe it safely. */
export interface BearerTokenProvider extends TokenProvider {
  readonly knownNamespace: string | null;
}

/**
 * The `{ accessToken }` provider: a constant `Bearer <token>` header (validated when the provider is
 * made), no store, no issuing. Access tokens are never refreshed, so a 401 is `ACCESS_TOKEN_REJECTED`.
 */
export function createBearerProvider(options: ResolvedProviderOptions): BearerTokenProvider {
  const { accessToken } = options.credentials as AccessTokenCredentials;
  // Throws CONFIG_INVALID (never echoing the token) for a value that cannot go into a header.
  const authorization = formatAuthorization('bearer', accessToken);
  const events = new EventHub();
  if (options.onEvent !== undefined) events.on(options.onEvent);
  let namespaceValue: string | null = null;
  let namespacePromise: Promise<string> | null = null;
  const namespace = (): Promise<string> => {
    namespacePromise ??= namespaceFor({ baseUrl: options.baseUrl, mode: 'bearer' }).then((ns) => {
      namespaceValue = ns;
      return ns;
    });
    return namespacePromise;
  };

  return {
    mode: 'bearer',
    get knownNamespace() {
      return namespaceValue;
    },
    async getAuthorization(request?: RequestOptions): Promise<string> {
      if (request?.signal?.aborted) throw abortedError(request.signal);
      return authorization;
    },
    async handleUnauthorized(_rejectedAuthorization: string, request?: RequestOptions): Promise<string> {
      if (request?.signal?.aborted) throw abortedError(request.signal);
      throw new ConnexeaseAuthError(
        'ACCESS_TOKEN_REJECTED',
        'the API rejected the Account Access Token (401). Access tokens are never refreshed: check that it is ' +
          'current, or ask Connexease support for a new one',
        { status: 401 },
      );
    },
    async status(): Promise<AuthStatus> {
      return {
        mode: 'bearer',
        namespace: await namespace(),
        quota: null,
        token: null,
        block: null,
        lease: null,
      };
    },
    async unblock(): Promise<void> {
      // Nothing is ever blocked in bearer mode.
    },
    onEvent: (listener) => events.on(listener),
    async close(): Promise<void> {
      // Holds no timers and no store.
    },
  };
}
