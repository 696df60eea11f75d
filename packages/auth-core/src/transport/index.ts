/**
 * `@connexease-kit/auth-core/transport`: the transport-neutral parts of an HTTP transport (http-ky,
 * http-fetch, or yours): the `POST /jwt/` issuer over any `send`, the client factory's shared body
 * (option checks, store selection, provider facade), configuration from the environment, and the
 * redaction of tokens from what a transport throws.
 *
 * @packageDocumentation
 */
import { assertSupportedNode } from '../node-version.ts';

// As the main entry does: on an older Node.js this entry fails at once, naming the version needed.
assertSupportedNode();

export {
  PROVIDER_DEFAULTS,
  type ResolvedProviderOptions,
  resolveProviderOptions,
  validateCredentials,
} from '../config.ts';
export type { AccessTokenCredentials, PasswordCredentials } from '../credentials.ts';
export { type EnvConfig, readEnvConfig } from '../env-config.ts';
export {
  type ClassifyOptions,
  classifyJwtResponse,
  type HeadersLike,
  type JwtResponseClassification,
} from '../issuer/classify.ts';
export type { IssuedToken, IssueRequest } from '../issuer/issuer.ts';
export { assertSupportedNode } from '../node-version.ts';
export { protectCredentials, REDACTED, redact } from '../secrets.ts';
export {
  describeUnsafeToken,
  formatAuthorization,
  isHeaderSafeToken,
  parseAuthorization,
} from '../token/schemes.ts';
export { DEFAULT_BASE_URL, normalizeBaseUrl } from '../url.ts';
export {
  type ClientAuth,
  type ClientInternals,
  type ClientTransport,
  createClientAuth,
  type TransportClientConfig,
} from './client-auth.ts';
export {
  type ClientStore,
  type ClientStoreContext,
  type ClientStoreOption,
  resolveClientStore,
} from './client-store.ts';
export { buildFromEnv, type EnvSource, processEnv } from './env-client.ts';
export {
  createHttpJwtIssuer,
  type HttpJwtIssuerOptions,
  type JwtHttpRequest,
  type JwtHttpResponse,
  type JwtHttpSend,
} from './http-issuer.ts';
export { lazyTokenStore } from './lazy-store.ts';
export { baseUrlWithSlash, checkTimeoutMs, DEFAULT_TIMEOUT_MS } from './options.ts';
export { redactAuthorizationHeader, redactedAuthorization } from './redaction.ts';
export {
  createFileStore,
  createPostgresStore,
  createRedisStore,
  type FileStoreModule,
  type PostgresStoreModule,
  type RedisStoreModule,
  type StoreLoaders,
} from './store-loaders.ts';
export { sanitizeTransportError } from './transport-error.ts';
