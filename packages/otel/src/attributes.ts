/** Attribute keys on every metric and span of this package. None of them ever holds a secret. */
export const ATTR = {
  /** The namespace hash auth-core derives from base URL + API user + mode: names a user without naming it. */
  namespace: 'connexease.namespace',
  /** `issued`, or the error code of a failed `POST /jwt/` attempt / wait. */
  outcome: 'connexease.outcome',
  attempt: 'connexease.jwt.attempt',
  blockCode: 'connexease.block.code',
  waitReason: 'connexease.wait.reason',
  /** The `TokenStore` method that failed (`readToken`, `reserveIssue`, …). */
  storeOperation: 'connexease.store.operation',
  /** What noticed a store that forgot: `watch`, `refresh` or `reservation`. */
  resetDetectedBy: 'connexease.store.reset.detected_by',
  /** The store still counts attempts nobody could re-add: the quota is spent for a window. */
  resetQuotaLost: 'connexease.store.reset.quota_lost',
  errorType: 'error.type',
  httpStatus: 'http.response.status_code',
} as const;
