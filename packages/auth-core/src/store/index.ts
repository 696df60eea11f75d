/**
 * `@connexease-kit/auth-core/store`: the door for store adapter authors (memory, file, Redis,
 * PostgreSQL, or yours): the `TokenStore` contract, the input assertions every store runs, the record
 * helpers and quota-record rules, `waitForToken` written once (`waitForRecordChange`), the timer cap
 * and expiry watch, the clock, and the namespace and quota math a tool needs to read what a store
 * holds. Services use the main entry.
 *
 * @packageDocumentation
 */
import { assertSupportedNode } from '../node-version.ts';

// As the main entry does: on an older Node.js this entry fails at once, naming the version needed.
assertSupportedNode();

export { systemClock } from '../clock.ts';
export { type ReportEventOptions, reportEvent } from '../diagnostics/event-hub.ts';
export { formatDuration, formatWindow } from '../duration.ts';
export type { ConnexeaseAuthErrorOptions } from '../errors.ts';
export { assertSupportedNode } from '../node-version.ts';
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
} from '../quota/quota.ts';
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
} from '../quota/quota-record.ts';
export { credentialFingerprint, FINGERPRINT_ITERATIONS, namespaceFor } from '../secrets.ts';
export {
  computeTokenTimes,
  DEFAULT_REFRESH_BEFORE_EXPIRY_MS,
  isTokenDue,
  isTokenExpired,
  refreshPoint,
  TOKEN_LIFETIME_MS,
  type TokenTimes,
  type TokenTimesInput,
} from '../token/expiry.ts';
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
} from './contract.ts';
export { NamespaceListeners } from './namespace-listeners.ts';
export { PendingWaits } from './pending-waits.ts';
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
} from './store-input.ts';
export {
  copyBlockRecord,
  copyTokenRecord,
  isSameTokenRecord,
  TOKEN_STORE_METHODS,
} from './store-records.ts';
export { EXPIRY_RECHECK_MS, expiryRecheckDelay, MAX_TIMER_MS, watchExpiry } from './store-timers.ts';
export {
  type RecordChangeSource,
  type RecordSubscription,
  waitForRecordChange,
} from './wait-for-record.ts';
