import { assertSupportedNode } from '@connexease-kit/auth-core';

// First, so auth-core (which checks the Node.js version as it loads) runs before any other dependency.
assertSupportedNode();

export {
  type ConnexeaseClient,
  type ConnexeaseClientConfig,
  createConnexeaseClient,
} from './client.ts';
export type { ClientStoreOption } from './client-store.ts';
export { createConnexeaseClientFromEnv, type EnvSource } from './from-env.ts';
export { type AuthorizationSource, authHooks } from './hooks.ts';
export { createJwtIssuer, type JwtIssuerOptions } from './issuer.ts';
