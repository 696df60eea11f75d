export {
  type ClassifyOptions,
  classifyJwtResponse,
  type HeadersLike,
  type JwtResponseClassification,
} from './classify.ts';
export {
  PROVIDER_DEFAULTS,
  type ResolvedProviderOptions,
  resolveProviderOptions,
  systemClock,
  validateCredentials,
} from './config.ts';
export type { AccessTokenCredentials, AuthMode, Credentials, PasswordCredentials } from './credentials.ts';
export { createEncryptedTokenStore, type EncryptedTokenStoreOptions } from './encryption.ts';
export { type EnvConfig, readEnvConfig } from './env-config.ts';
export {
  type BlockCode,
  ConnexeaseAuthError,
  type ConnexeaseAuthErrorCode,
  type ConnexeaseAuthErrorOptions,
  isConnexeaseAuthError,
} from './errors.ts';
export type { AuthEvent, AuthEventListener, AuthEventType } from './events.ts';
export {
  computeTokenTimes,
  DEFAULT_REFRESH_BEFORE_EXPIRY_MS,
  isTokenDue,
  isTokenExpired,
  refreshPoint,
  TOKEN_LIFETIME_MS,
  type TokenTimes,
  type TokenTimesInput,
} from './expiry.ts';
export type { IssuedToken, IssueRequest, JwtIssuer } from './issuer.ts';
export { type DecodedJwt, decodeJwt, tryDecodeJwt } from './jwt.ts';
export { createTokenProvider } from './provider.ts';
export type {
  AuthStatus,
  Clock,
  QuotaOptions,
  RequestOptions,
  RetryOptions,
  TokenProvider,
  TokenProviderOptions,
} from './provider-types.ts';
export {
  API_DAILY_ISSUE_LIMIT,
  DEFAULT_QUOTA,
  decideQuota,
  type QuotaSummary,
  type QuotaVerdict,
  type QuotaWindow,
  quotaSummary,
  type ResolvedQuota,
  resolveQuotaOptions,
} from './quota.ts';
export {
  clearLossInQuota,
  emptyQuota,
  lostThrough,
  purgeQuota,
  QUOTA_MARKER_RETENTION_MS,
  type QuotaMarker,
  type QuotaRules,
  type QuotaStep,
  quotaUsageOf,
  reserveInQuota,
  restoreInQuota,
  type StoredQuota,
  type StoredQuotaEntry,
} from './quota-record.ts';
export {
  describeUnsafeToken,
  formatAuthorization,
  isHeaderSafeToken,
  parseAuthorization,
} from './schemes.ts';
export {
  credentialFingerprint,
  FINGERPRINT_ITERATIONS,
  namespaceFor,
  protectCredentials,
  REDACTED,
  redact,
} from './secrets.ts';
export type {
  BlockRecord,
  Lease,
  QuotaDecision,
  QuotaEntry,
  QuotaRecordState,
  QuotaRequest,
  QuotaRestoreRequest,
  QuotaUsage,
  TokenRecord,
  TokenStore,
  WaitOptions,
} from './store.ts';
export {
  assertBlockRecord,
  assertLease,
  assertNamespace,
  assertNonNegativeMs,
  assertPositiveMs,
  assertQuotaEntries,
  assertQuotaRequest,
  assertQuotaRestoreRequest,
  assertTokenRecord,
  assertTokenValue,
  MAX_KNOWN_QUOTA_ENTRIES,
} from './store-input.ts';
export { copyBlockRecord, isSameTokenRecord, TOKEN_STORE_METHODS } from './store-records.ts';
export { DEFAULT_BASE_URL, normalizeBaseUrl } from './url.ts';
