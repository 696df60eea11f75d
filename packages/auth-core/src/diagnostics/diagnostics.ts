import type { Channel, TracingChannel } from 'node:diagnostics_channel';
import type { AuthEvent } from './events.ts';

/**
 * The names of the diagnostics channels connexease-kit publishes on (Node's `node:diagnostics_channel`).
 *
 * - `event`: a plain channel; every provider event (and every store warning) is published on it, the
 *   {@link AuthEvent} object as the message.
 * - `jwtIssue`, `wait`, `store`: `TracingChannel`s (`tracing:<name>:start`, `end`, `asyncStart`,
 *   `asyncEnd`, `error`) around each `POST /jwt/` attempt, each caller's wait for a token, and each
 *   store call. Their contexts are {@link JwtIssueTraceContext}, {@link WaitTraceContext} and
 *   {@link StoreTraceContext}; `error` carries the `ConnexeaseAuthError` the call failed with. `result`
 *   is never set: results hold tokens.
 */
export const DIAGNOSTICS_CHANNELS: {
  readonly event: 'connexease-kit:event';
  readonly jwtIssue: 'connexease-kit:jwt-issue';
  readonly wait: 'connexease-kit:wait';
  readonly store: 'connexease-kit:store';
} = Object.freeze({
  event: 'connexease-kit:event',
  jwtIssue: 'connexease-kit:jwt-issue',
  wait: 'connexease-kit:wait',
  store: 'connexease-kit:store',
});

/** The context of one `POST /jwt/` attempt on `connexease-kit:jwt-issue`. */
export interface JwtIssueTraceContext {
  /** Namespace hash of the API user (safe to log). */
  ns: string;
  /** 1 for the first attempt of a refresh, then 2, 3… */
  attempt: number;
  /** Set by the channel when the attempt fails: a `ConnexeaseAuthError`. */
  error?: unknown;
}

/** The context of one caller's wait for a token on `connexease-kit:wait`. */
export interface WaitTraceContext {
  /** Namespace hash, or `null` for a first call that failed before the namespace was known. */
  ns: string | null;
  /** `'token'`: a call with no usable token in memory; `'unauthorized'`: a 401 being recovered from. */
  reason: 'token' | 'unauthorized';
  error?: unknown;
}

/** The context of one store call on `connexease-kit:store`. */
export interface StoreTraceContext {
  ns: string;
  /** The `TokenStore` method, e.g. `'reserveIssue'`. */
  operation: string;
  /** Set when the call fails: a `ConnexeaseAuthError` (`STORE_UNAVAILABLE`, `ABORTED`, `CONFIG_INVALID`). */
  error?: unknown;
}

type DiagnosticsModule = typeof import('node:diagnostics_channel');

/**
 * `node:diagnostics_channel`, or `undefined` where the runtime has none. Loaded through
 * `process.getBuiltinModule` rather than a static import, so auth-core still loads (without
 * diagnostics) in a runtime that has no such module.
 */
function loadDiagnostics(): DiagnosticsModule | undefined {
  try {
    return globalThis.process?.getBuiltinModule?.('node:diagnostics_channel');
  } catch {
    return undefined;
  }
}

const diagnostics = loadDiagnostics();

export const eventChannel: Channel<AuthEvent> | undefined = diagnostics?.channel(
  DIAGNOSTICS_CHANNELS.event,
) as Channel<AuthEvent> | undefined;
export const jwtIssueChannel: TracingChannel<unknown, JwtIssueTraceContext> | undefined =
  diagnostics?.tracingChannel(DIAGNOSTICS_CHANNELS.jwtIssue);
export const waitChannel: TracingChannel<unknown, WaitTraceContext> | undefined = diagnostics?.tracingChannel(
  DIAGNOSTICS_CHANNELS.wait,
);
export const storeChannel: TracingChannel<unknown, StoreTraceContext> | undefined =
  diagnostics?.tracingChannel(DIAGNOSTICS_CHANNELS.store);

/** Publishes `event` on `connexease-kit:event` when someone listens; otherwise does nothing. */
export function publishEvent(event: AuthEvent): void {
  if (eventChannel?.hasSubscribers !== true) return;
  try {
    eventChannel.publish(event);
  } catch {
    // A subscriber's failure must not change what the provider does (Node reports it on its own).
  }
}

/**
 * Runs `run` inside `channel`'s trace with `context`, or just runs it when nobody subscribes (the
 * common case costs one property read). The resolved value is kept out of `context.result`: it may
 * hold a token.
 */
export function traceAsync<T, C extends object>(
  channel: TracingChannel<unknown, C> | undefined,
  context: C,
  run: () => Promise<T>,
): Promise<T> {
  if (channel?.hasSubscribers !== true) return run();
  let value: T;
  return channel
    .tracePromise(async () => {
      value = await run();
    }, context)
    .then(() => value);
}
