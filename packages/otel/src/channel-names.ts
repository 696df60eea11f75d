/**
 * The diagnostics channels `@connexease-kit/auth-core` publishes on (its `DIAGNOSTICS_CHANNELS`),
 * repeated here so this package needs no runtime dependency on auth-core; a test keeps them equal.
 */
export const CHANNELS = {
  event: 'connexease-kit:event',
  jwtIssue: 'connexease-kit:jwt-issue',
  wait: 'connexease-kit:wait',
} as const;

/** The subset of auth-core's `AuthEvent` this package reads (all of it free of secrets). */
export type ObservedEvent =
  | { type: 'issued'; ns: string; expiresAt: number; refreshAt?: number }
  | { type: 'refreshed'; ns: string; expiresAt: number; refreshAt?: number }
  | { type: 'reused-from-store'; ns: string; expiresAt: number; refreshAt?: number }
  | { type: 'issue-failed'; ns: string; code: string; status?: number }
  | { type: 'quota-reserved' | 'quota-low'; ns: string; used: number; limit: number; remaining: number }
  | { type: 'quota-exhausted'; ns: string; used: number; limit: number }
  | { type: 'blocked'; ns: string; code: string; until?: number }
  | { type: 'unblocked'; ns: string }
  | { type: 'store-error'; ns: string; operation: string }
  | { type: 'store-reset'; ns: string; detectedBy: string; quotaLost: boolean };

/** The context auth-core gives a `connexease-kit:jwt-issue` trace. */
export interface IssueContext {
  ns: string;
  attempt: number;
  error?: unknown;
}

/** The context auth-core gives a `connexease-kit:wait` trace. */
export interface WaitContext {
  ns: string | null;
  reason: string;
  error?: unknown;
}

/** The stable code of a `ConnexeaseAuthError` (or the name of anything else thrown). */
export function errorCode(error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    const name = (error as { name?: unknown }).name;
    if (typeof name === 'string' && name !== '') return name;
  }
  return 'UNKNOWN';
}

/** The HTTP status a `ConnexeaseAuthError` carries, if any. */
export function errorStatus(error: unknown): number | undefined {
  const status =
    typeof error === 'object' && error !== null ? (error as { status?: unknown }).status : undefined;
  return typeof status === 'number' ? status : undefined;
}
