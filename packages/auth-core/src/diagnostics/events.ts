import type { BlockCode, ConnexeaseAuthErrorCode } from '../errors.ts';

/**
 * Everything the provider reports. Events never carry a token, a password or an `Authorization`
 * value; `ns` is the namespace hash, safe to log. Times (`expiresAt`, `refreshAt`, `until`, `retryAt`)
 * are epoch milliseconds on this process's clock. Each is also published on the `connexease-kit:event`
 * diagnostics channel.
 */
export type AuthEvent =
  | { type: 'issued'; ns: string; expiresAt: number; refreshAt: number; attempt: number; fence: number }
  | { type: 'refreshed'; ns: string; expiresAt: number; refreshAt: number; background: boolean }
  | { type: 'reused-from-store'; ns: string; expiresAt: number; refreshAt: number }
  | { type: 'waited'; ns: string; waitedMs: number; outcome: 'token' | 'timeout' | 'lease-acquired' }
  | {
      type: 'issue-failed';
      ns: string;
      code: ConnexeaseAuthErrorCode;
      status?: number;
      attempt: number;
      retryable: boolean;
    }
  | { type: 'quota-reserved'; ns: string; used: number; limit: number; remaining: number }
  | { type: 'quota-low'; ns: string; used: number; limit: number; remaining: number }
  | { type: 'quota-exhausted'; ns: string; used: number; limit: number; retryAt: number }
  | { type: 'blocked'; ns: string; code: BlockCode; until?: number; source: 'local' | 'store' }
  | { type: 'unblocked'; ns: string }
  /**
   * The API answered 401 to the current token: `refresh` when that starts the one fleet-wide refresh,
   * `endpoint-refused` when the 401 is the endpoint's (the token is kept; see `ENDPOINT_REFUSED`).
   */
  | { type: 'token-rejected'; ns: string; outcome: 'refresh' | 'endpoint-refused' }
  | { type: 'store-error'; ns: string; operation: string; message: string }
  | {
      /**
       * Guarantee 10: the store lost quota records this replica knew of (an empty restart, a failover
       * that lost writes, eviction, a flush). The remembered attempts were re-added, and a still-valid
       * token written back when the store had none.
       */
      type: 'store-reset';
      ns: string;
      /** What noticed it: the periodic check of a replica holding a token, a refresh, or a reservation. */
      detectedBy: 'watch' | 'refresh' | 'reservation';
      /** The store's record started a new life (or has none): it lost everything in between. */
      epochChanged: boolean;
      /** Remembered attempts inside the window that the store no longer held (re-added). */
      missingEntries: number;
      /** The store still reports attempts nobody could re-add: the quota counts as spent for a window after them. */
      quotaLost: boolean;
      /** This replica wrote its still-valid token back to the emptied store. */
      tokenRestored: boolean;
    }
  | { type: 'encryption-mismatch'; ns: string; reason: 'plaintext' | 'wrong-key' | 'corrupt' }
  | { type: 'warning'; ns?: string; message: string };

export type AuthEventType = AuthEvent['type'];
export type AuthEventListener = (event: AuthEvent) => void;
