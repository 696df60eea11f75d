import { resolveProviderOptions } from '../config.ts';
import { reportEvent } from '../diagnostics/event-hub.ts';
import { createBearerProvider } from './bearer-provider.ts';
import { createJwtProvider } from './jwt-provider.ts';
import type { TokenProvider, TokenProviderOptions } from './provider-types.ts';

const NODE_INSPECT = Symbol.for('nodejs.util.inspect.custom');
const DENO_INSPECT = Symbol.for('Deno.customInspect');

/**
 * Creates the provider of `Authorization` header values for the Connexease API.
 *
 * - `{ accessToken }`: `Bearer <token>`, nothing else (no store, no issuing).
 * - `{ username, password }` (needs `issuer` and `store`): a JWT shared by the whole fleet through the
 *   store. While the process holds a token that is not due, `getAuthorization()` answers from memory
 *   without I/O; a due token is refreshed in the background while it keeps serving; otherwise one
 *   refresh per process waits for, or takes, the fleet's lease, and the leader issues within the
 *   quota. See the package README for the guarantees and the events.
 *
 * Options are validated at once (`CONFIG_INVALID`, never echoing a secret); credentials are checked
 * before anything is sent. The provider never shows a secret: `util.inspect` and `JSON.stringify` of it
 * give only its mode and namespace.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID`.
 *
 * @example
 * const provider = createTokenProvider({ credentials: { username, password }, issuer, store });
 * const header = await provider.getAuthorization(); // 'JWT eyJ…'
 */
export function createTokenProvider(options: TokenProviderOptions): TokenProvider {
  const resolved = resolveProviderOptions(options);
  const provider = resolved.mode === 'bearer' ? createBearerProvider(resolved) : createJwtProvider(resolved);
  for (const message of resolved.warnings) {
    const warning = { type: 'warning', message } as const;
    try {
      resolved.onEvent?.(warning);
    } catch {
      // A listener failure never stops the provider.
    }
    reportEvent(warning, { observed: resolved.onEvent !== undefined });
  }
  const describe = (): { mode: string; namespace: string } => ({
    mode: provider.mode,
    namespace: provider.knownNamespace ?? '(not computed yet)',
  });
  const { mode } = provider;
  const safe: TokenProvider = {
    mode,
    getAuthorization: provider.getAuthorization.bind(provider),
    handleUnauthorized: provider.handleUnauthorized.bind(provider),
    status: provider.status.bind(provider),
    unblock: provider.unblock.bind(provider),
    onEvent: provider.onEvent.bind(provider),
    close: provider.close.bind(provider),
  };
  Object.defineProperties(safe, {
    toJSON: { value: describe },
    [NODE_INSPECT]: { value: () => `TokenProvider ${JSON.stringify(describe())}` },
    [DENO_INSPECT]: { value: () => `TokenProvider ${JSON.stringify(describe())}` },
    toString: { value: () => `[TokenProvider ${mode}]` },
  });
  return Object.freeze(safe);
}
