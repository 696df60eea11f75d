/**
 * Test harness for the token provider: a scripted fake issuer, store wrappers that count or fail, a
 * virtual-time driver and a provider factory wired to the in-process memory store.
 */
import {
  type AuthEvent,
  ConnexeaseAuthError,
  createTokenProvider,
  type JwtIssuer,
  type TokenProvider,
  type TokenProviderOptions,
  type TokenStore,
} from '@connexease-kit/auth-core';
import { TOKEN_STORE_METHODS } from '@connexease-kit/auth-core/store';
import { classifyJwtResponse } from '@connexease-kit/auth-core/transport';
import { vi } from 'vitest';
import { createMemoryTokenStore, type MemoryTokenStore } from '../../../token-store-memory/src/index.ts';
import { makeJwt } from './jwt.ts';

export const USERNAME = 'john.doe';
export const PASSWORD = 'hunter2-SECRET';
export const HOUR = 3_600_000;
export const DAY: number = 24 * HOUR;
/** Virtual start time: a whole second, so JWT `exp` seconds map exactly onto milliseconds. */
export const START: number = Date.UTC(2030, 0, 1, 8, 0, 0);

/** What the fake `POST /jwt/` answers to one attempt. */
export type Answer =
  | 'ok'
  | 400
  | 401
  | '403-banned'
  | '403-inactive'
  | 502
  | 503
  /** Answers nothing until the attempt's signal aborts, then rejects (a well-behaved issuer timing out). */
  | 'timeout'
  /** Never settles, ignoring its signal (a stuck socket). */
  | 'hang'
  /** 200 with a token whose `exp` already passed. */
  | 'expired-token';

const ERROR_BODIES: Record<string, [number, string]> = {
  400: [400, '{"message":"Username is required."}'],
  401: [401, '{"detail":"No active account found with the given credentials"}'],
  '403-banned': [403, '{"message":"This agent has been banned!"}'],
  '403-inactive': [403, ''],
  502: [502, '<html><title>502 Bad Gateway</title></html>'],
  503: [503, '{"message":"maintenance"}'],
};

export interface IssuerCall {
  at: number;
  username: string;
  password: string;
  answer: Answer;
}

export interface FakeIssuer {
  issuer: JwtIssuer;
  calls: IssuerCall[];
  /** Every token value handed out. */
  tokens: string[];
  /** Queues answers for the next attempts; after the queue, `fallback` answers. */
  script(...answers: Answer[]): void;
  fallback: Answer;
}

export interface FakeIssuerOptions {
  /** Token lifetime (`exp - iat`). Default 24 h. */
  lifetimeMs?: number;
  /** Virtual time each answer takes. Default 0. */
  latencyMs?: number;
  fallback?: Answer;
  /** Accepts only this password (401 otherwise). Default: any. */
  password?: string;
}

/** A scripted `POST /jwt/` that records calls and answers like the real endpoint (via `classifyJwtResponse`). */
export function createFakeIssuer(options: FakeIssuerOptions = {}): FakeIssuer {
  const { lifetimeMs = DAY, latencyMs = 0 } = options;
  const queue: Answer[] = [];
  const fake: FakeIssuer = {
    calls: [],
    tokens: [],
    fallback: options.fallback ?? 'ok',
    script: (...answers) => queue.push(...answers),
    issuer: async ({ username, password, signal }) => {
      let answer = queue.shift() ?? fake.fallback;
      if (options.password !== undefined && password !== options.password && answer === 'ok') answer = 401;
      fake.calls.push({ at: Date.now(), username, password, answer });
      if (answer === 'hang') return new Promise<never>(() => {});
      if (answer === 'timeout') {
        return new Promise<never>((_, reject) => {
          signal.addEventListener('abort', () =>
            reject(new ConnexeaseAuthError('TIMEOUT', 'issuer aborted')),
          );
        });
      }
      if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
      const receivedAt = Date.now();
      if (answer === 'ok' || answer === 'expired-token') {
        const iat = Math.floor(receivedAt / 1000);
        const exp = answer === 'ok' ? iat + Math.floor(lifetimeMs / 1000) : iat - 60;
        const token = makeJwt({ sub: 'TOKEN-SECRET', n: fake.tokens.length + 1, iat, exp });
        fake.tokens.push(token);
        return { token, receivedAt };
      }
      const [status, body] = ERROR_BODIES[String(answer)]!;
      const result = classifyJwtResponse(status, {}, body, { receivedAt, redact: [password] });
      if (result.ok) throw new Error('unreachable');
      throw result.error;
    },
  };
  return fake;
}

export type StoreMethod = keyof TokenStore;

/** How a {@link ControlledStore} behaves right now. */
export type StoreMode = 'normal' | 'failing' | 'hanging';

/** A store wrapper that counts calls and can be switched to failing (throwing) or hanging (never answering). */
export interface ControlledStore {
  store: TokenStore;
  counts: Record<string, number>;
  /** Every call with its arguments, in order. */
  log: { method: StoreMethod; args: unknown[] }[];
  total(): number;
  mode: StoreMode;
  /** Methods affected by `mode` (default: all). */
  affected: Set<StoreMethod> | null;
}

export function controlledStore(inner: TokenStore): ControlledStore {
  const control: ControlledStore = {
    store: {} as TokenStore,
    counts: {},
    log: [],
    total: () => Object.values(control.counts).reduce((sum, n) => sum + n, 0),
    mode: 'normal',
    affected: null,
  };
  const wrapper: Record<string, unknown> = {};
  for (const method of TOKEN_STORE_METHODS) {
    wrapper[method] = (...args: unknown[]) => {
      control.counts[method] = (control.counts[method] ?? 0) + 1;
      control.log.push({ method, args });
      const applies = control.affected === null || control.affected.has(method);
      if (applies && control.mode === 'failing')
        return Promise.reject(new Error('ECONNREFUSED store is down'));
      if (applies && control.mode === 'hanging') return new Promise(() => {});
      return (inner[method] as (...a: unknown[]) => Promise<unknown>).apply(inner, args);
    };
  }
  control.store = wrapper as unknown as TokenStore;
  return control;
}

/** Counts Web Crypto work in progress, so virtual time never moves while real async work is pending. */
let pendingCrypto = 0;
let cryptoTracked = false;
function trackCrypto(): void {
  if (cryptoTracked) return;
  cryptoTracked = true;
  const subtle = globalThis.crypto.subtle as unknown as Record<
    string,
    (...args: unknown[]) => Promise<unknown>
  >;
  for (const name of ['digest', 'deriveBits', 'importKey']) {
    const original = subtle[name]!.bind(globalThis.crypto.subtle);
    subtle[name] = (...args: unknown[]) => {
      pendingCrypto += 1;
      return original(...args).finally(() => {
        pendingCrypto -= 1;
      });
    };
  }
}

/** Installs fake timers (setTimeout/setInterval/Date only; setImmediate stays real) at {@link START}. */
export function useVirtualTime(start: number = START): void {
  trackCrypto();
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
    now: start,
  });
}

const realTick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Lets promises and pending Web Crypto work finish, without moving virtual time. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 20 || pendingCrypto > 0; i += 1) await realTick();
}

/**
 * Settles `promise` on virtual time: flushes real work, then advances the clock by `stepMs`, until
 * the promise settles or `maxMs` of virtual time passed. Returns the outcome, never throws it.
 */
export async function drive<T>(
  promise: Promise<T>,
  { stepMs = 100, maxMs = 10 * 60_000 }: { stepMs?: number; maxMs?: number } = {},
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  promise.then(
    (value) => {
      outcome = { ok: true, value };
    },
    (error: unknown) => {
      outcome = { ok: false, error };
    },
  );
  for (let elapsed = 0; ; elapsed += stepMs) {
    await flush();
    if (outcome !== undefined) return outcome;
    if (elapsed >= maxMs) throw new Error(`still pending after ${maxMs} ms of virtual time`);
    await vi.advanceTimersByTimeAsync(stepMs);
  }
}

/** Settles `promise` on virtual time and returns its value (throws its error). */
export async function settle<T>(
  promise: Promise<T>,
  options?: { stepMs?: number; maxMs?: number },
): Promise<T> {
  const outcome = await drive(promise, options);
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}

/** Settles `promise` on virtual time and returns its `ConnexeaseAuthError` (fails if it resolves). */
export async function settleError(
  promise: Promise<unknown>,
  options?: { stepMs?: number; maxMs?: number },
): Promise<ConnexeaseAuthError> {
  const outcome = await drive(promise, options);
  if (outcome.ok) throw new Error('expected a rejection, got a value');
  if (!(outcome.error instanceof ConnexeaseAuthError)) throw outcome.error;
  return outcome.error;
}

/** Advances virtual time by `ms` in `stepMs` slices, flushing real work in between. */
export async function advance(ms: number, stepMs = 1000): Promise<void> {
  for (let left = ms; left > 0; left -= stepMs) {
    await flush();
    await vi.advanceTimersByTimeAsync(Math.min(stepMs, left));
  }
  await flush();
}

/** A fleet: one memory store shared by providers (replicas), each with its own fake issuer or a shared one. */
export interface Fleet {
  memory: MemoryTokenStore;
  control: ControlledStore;
  fake: FakeIssuer;
  events: AuthEvent[];
  providers: TokenProvider[];
  /** A new replica: a provider over the shared store (or `store`), with `overrides`. */
  replica(overrides?: Partial<TokenProviderOptions>): TokenProvider;
  closeAll(): Promise<void>;
}

export function createFleet(
  options: { issuer?: FakeIssuerOptions; provider?: Partial<TokenProviderOptions> } = {},
): Fleet {
  const memory = createMemoryTokenStore();
  const control = controlledStore(memory);
  const fake = createFakeIssuer(options.issuer);
  const events: AuthEvent[] = [];
  const providers: TokenProvider[] = [];
  return {
    memory,
    control,
    fake,
    events,
    providers,
    replica(overrides = {}) {
      const provider = createTokenProvider({
        credentials: { username: USERNAME, password: PASSWORD },
        baseUrl: 'https://api.connexease.test',
        issuer: fake.issuer,
        store: control.store,
        random: () => 0.5,
        // Hourly store checks keep week-long simulations fast; tests of guarantee 10 set their own.
        storeCheckIntervalMs: HOUR,
        onEvent: (event) => events.push(event),
        ...options.provider,
        ...overrides,
      });
      providers.push(provider);
      return provider;
    },
    async closeAll() {
      await Promise.all(providers.map((provider) => provider.close()));
      await memory.close();
    },
  };
}

/** Events of one type. */
export function eventsOf<T extends AuthEvent['type']>(
  events: AuthEvent[],
  type: T,
): Extract<AuthEvent, { type: T }>[] {
  return events.filter((event): event is Extract<AuthEvent, { type: T }> => event.type === type);
}
