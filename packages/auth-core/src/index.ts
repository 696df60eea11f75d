export type { AccessTokenCredentials, AuthMode, Credentials, PasswordCredentials } from './credentials.ts';
export {
  type BlockCode,
  ConnexeaseAuthError,
  type ConnexeaseAuthErrorCode,
  type ConnexeaseAuthErrorOptions,
  isConnexeaseAuthError,
} from './errors.ts';
export type { AuthEvent, AuthEventListener, AuthEventType } from './events.ts';
export type { IssuedToken, IssueRequest, JwtIssuer } from './issuer.ts';
export type {
  AuthStatus,
  Clock,
  QuotaOptions,
  RequestOptions,
  RetryOptions,
  TokenProvider,
  TokenProviderOptions,
} from './provider-types.ts';
export type {
  BlockRecord,
  Lease,
  QuotaDecision,
  QuotaRequest,
  QuotaUsage,
  TokenRecord,
  TokenStore,
  WaitOptions,
} from './store.ts';
