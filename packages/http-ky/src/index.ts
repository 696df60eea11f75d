import { assertSupportedNode } from '@connexease-kit/auth-core/transport';

// First, so auth-core (which checks the Node.js version as it loads) runs before any other dependency.
assertSupportedNode();

// The front door: the errors, codes, events and status a user of this package handles, re-exported so
// that installing http-ky alone is enough under pnpm's strict layout.
export {
  type AuthEvent,
  type AuthEventListener,
  type AuthEventType,
  type AuthStatus,
  type BlockCode,
  ConnexeaseAuthError,
  type ConnexeaseAuthErrorCode,
  type Credentials,
  isConnexeaseAuthError,
  type TokenProvider,
} from '@connexease-kit/auth-core';
export type { ClientStoreOption } from '@connexease-kit/auth-core/transport';
export {
  type ConnexeaseClient,
  type ConnexeaseClientConfig,
  createConnexeaseClient,
} from './client.ts';
export { createConnexeaseClientFromEnv, type EnvSource } from './from-env.ts';
export { type AuthorizationSource, authHooks } from './hooks.ts';
export { createJwtIssuer, type JwtIssuerOptions } from './issuer.ts';
