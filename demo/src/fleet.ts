import { type AuthEvent, isConnexeaseAuthError } from '@connexease-kit/auth-core';
import type { ConnexeaseClientConfig } from '@connexease-kit/http-ky';
import { isHTTPError, isTimeoutError } from 'ky';

/** What one API call a replica served came to. */
export interface CallResult {
  ok: boolean;
  /** Time the replica spent on the call, signing and any wait for a token included. */
  latencyMs: number;
  /** Short and secret-free: a `ConnexeaseAuthError` code, `HTTP 403 /jwt/`, `timeout`… */
  error?: string;
  /** The replica died while the call was in flight; the load balancer sends it elsewhere. */
  crashed?: boolean;
}

/** One running replica of the service. */
export interface Replica {
  readonly name: string;
  /** Serves one request by calling the API. Never rejects: failures are in the result. */
  call(path: string): Promise<CallResult>;
  /** Dies abruptly, like SIGKILL: in-flight calls end as `crashed`, nothing is cleaned up. */
  crash(): void;
}

/** Something a replica's token provider reported, stamped on arrival. */
export interface FleetEvent {
  /** `performance.now()` in the demo's process. */
  at: number;
  replica: string;
  event: AuthEvent;
}

/** A way to run replicas: in-process (memory store), as processes (Redis), or the naive client. */
export interface Fleet {
  /** One line for the report, e.g. "connexease-kit, in-process replicas sharing one memory store". */
  readonly description: string;
  /** Starts a cold replica (empty memory) and resolves when it is ready to serve. */
  start(name: string): Promise<Replica>;
  /** The fleet's own count of `POST /jwt/` attempts in the window (provider status), or null if it keeps none. */
  quota(): Promise<{ used: number; limit: number } | null>;
  /** Token-provider events of every replica, oldest first; null for a fleet without a provider (naive). */
  readonly events: readonly FleetEvent[] | null;
  close(): Promise<void>;
}

/** Where a fleet finds the (mock) API and which API user it logs in as. */
export interface ApiTarget {
  baseUrl: string;
  username: string;
  password: string;
}

/**
 * The client options every connexease-kit replica in the demo uses: the library's defaults. The server
 * revokes the token moments after it was issued, and the first 401 for a token refreshes it once
 * whatever its age, so no option needs changing for that.
 */
export function kitClientOptions(target: ApiTarget): Omit<ConnexeaseClientConfig, 'store'> {
  return {
    baseUrl: target.baseUrl,
    credentials: { username: target.username, password: target.password },
  };
}

/** A short, secret-free description of why a call failed. */
export function describeError(error: unknown): string {
  if (isConnexeaseAuthError(error)) return error.code;
  if (isHTTPError(error)) return `HTTP ${error.response.status} ${new URL(error.request.url).pathname}`;
  if (isTimeoutError(error)) return 'timeout';
  if (error instanceof Error) return error.name;
  return 'unknown error';
}

/** Runs `call` and measures it; an abort caused by `signal` (a crash) is reported as `crashed`. */
export async function timedCall(call: () => Promise<unknown>, signal?: AbortSignal): Promise<CallResult> {
  const started = performance.now();
  try {
    await call();
    return { ok: true, latencyMs: performance.now() - started };
  } catch (error) {
    const latencyMs = performance.now() - started;
    if (signal?.aborted) return { ok: false, latencyMs, crashed: true, error: 'crashed' };
    return { ok: false, latencyMs, error: describeError(error) };
  }
}
