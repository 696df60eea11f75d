import { assertSupportedNode } from './node-version.ts';

// As auth-core loads, and so before any package built on it runs: each imports auth-core first.
assertSupportedNode();

export {
  PROVIDER_DEFAULTS,
  type ResolvedProviderOptions,
  resolveProviderOptions,
  systemClock,
  validateCredentials,
} from './config.ts';
export type { AccessTokenCredentials, AuthMode, Credentials, PasswordCredentials } from './credentials.ts';
export {
  DIAGNOSTICS_CHANNELS,
  type JwtIssueTraceContext,
  type StoreTraceContext,
  type WaitTraceContext,
} from './diagnostics/diagnostics.ts';
export { type ReportEventOptions, reportEvent } from './diagnostics/event-hub.ts';
export type { AuthEvent, AuthEventListener, AuthEventType } from './diagnostics/events.ts';
export { formatDuration, formatWindow } from './duration.ts';
export { type EnvConfig, readEnvConfig } from './env-config.ts';
export {
  type BlockCode,
  ConnexeaseAuthError,
  type ConnexeaseAuthErrorCode,
  type ConnexeaseAuthErrorOptions,
  isConnexeaseAuthError,
} from './errors.ts';
export {
  type ClassifyOptions,
  classifyJwtResponse,
  type HeadersLike,
  type JwtResponseClassification,
} from './issuer/classify.ts';
export type { IssuedToken, IssueRequest, JwtIssuer } from './issuer/issuer.ts';
export { assertSupportedNode, MINIMUM_NODE_MAJOR } from './node-version.ts';
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
} from './quota/quota.ts';
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
} from './quota/quota-record.ts';
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
  UnauthorizedRefresh,
  WaitOptions,
} from './store/contract.ts';
export { createEncryptedTokenStore, type EncryptedTokenStoreOptions } from './store/encryption.ts';
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
  isUnauthorizedRefresh,
  MAX_KNOWN_QUOTA_ENTRIES,
} from './store/store-input.ts';
export {
  copyBlockRecord,
  copyTokenRecord,
  isSameTokenRecord,
  TOKEN_STORE_METHODS,
} from './store/store-records.ts';
export { EXPIRY_RECHECK_MS, expiryRecheckDelay, MAX_TIMER_MS, watchExpiry } from './store/store-timers.ts';
export {
  computeTokenTimes,
  DEFAULT_REFRESH_BEFORE_EXPIRY_MS,
  isTokenDue,
  isTokenExpired,
  refreshPoint,
  TOKEN_LIFETIME_MS,
  type TokenTimes,
  type TokenTimesInput,
} from './token/expiry.ts';
export { type DecodedJwt, decodeJwt, tryDecodeJwt } from './token/jwt.ts';
export {
  describeUnsafeToken,
  formatAuthorization,
  isHeaderSafeToken,
  parseAuthorization,
} from './token/schemes.ts';
export { DEFAULT_BASE_URL, normalizeBaseUrl } from './url.ts';
