import { assertSupportedNode } from './node-version.ts';

// As auth-core loads, and so before any package built on it runs: each imports auth-core first.
assertSupportedNode();

// What a service author uses. Store adapter authors also import `@connexease-kit/auth-core/store`,
// HTTP transports and custom issuers `@connexease-kit/auth-core/transport`, instrumentation
// `@connexease-kit/auth-core/diagnostics`.
export type { AuthMode, Credentials } from './credentials.ts';
export type { AuthEvent, AuthEventListener, AuthEventType } from './diagnostics/events.ts';
export {
  type BlockCode,
  ConnexeaseAuthError,
  type ConnexeaseAuthErrorCode,
  isConnexeaseAuthError,
} from './errors.ts';
export type { JwtIssuer } from './issuer/issuer.ts';
export { createTokenProvider } from './provider/provider.ts';
export type {
  AuthStatus,
  Clock,
  QuotaOptions,
  RequestOptions,
  RetryOptions,
  TokenProvider,
  TokenProviderOptions,
  UnauthorizedOptions,
} from './provider/provider-types.ts';
export type { TokenStore } from './store/contract.ts';
export { createEncryptedTokenStore, type EncryptedTokenStoreOptions } from './store/encryption.ts';
export { type DecodedJwt, decodeJwt, tryDecodeJwt } from './token/jwt.ts';
