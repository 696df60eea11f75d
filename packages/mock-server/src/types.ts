/** Account state of an API user. `banned` is what the real API does after the daily issue limit is exceeded. */
export type UserStatus = 'active' | 'inactive' | 'banned';

/** An API user the mock knows, as passed to `startMockServer({ users })` or `control.upsertUser`. */
export interface MockUserInput {
  username: string;
  password: string;
  /** Default `active`. */
  status?: UserStatus;
  /** The `user_id` claim. Default: 1, 2, 3… in the order users were added. */
  userId?: number;
  /** The `email` claim. Default: `<username>@example.com` (or the username itself when it is an address). */
  email?: string;
  /** `account.uuid` in the `POST /jwt/` answer. Default: a UUID derived from the username, stable across runs. */
  accountUuid?: string;
}

/** What the mock tells about a user. Never contains the password. */
export interface MockUserInfo {
  username: string;
  status: UserStatus;
  userId: number;
  email: string;
  accountUuid: string;
  /** Successful issues for this user inside the current quota window. */
  quotaUsed: number;
}

/** Body sent with a `403` for an inactive user: none (what the documentation shows) or a JSON `detail`. */
export type InactiveBody = 'empty' | 'json';

/** Sliding-window limit of successful `POST /jwt/` issues per user. */
export interface MockQuotaOptions {
  /** Issues allowed per window; the request that would exceed it bans the user. Default 30. */
  limit?: number;
  /** Window length in ms. Default 24 hours. */
  windowMs?: number;
}

/** The fault names that need no parameter. */
export type JwtFaultName =
  | '502-html'
  | '500'
  | '503'
  | 'hang'
  | 'reset'
  | 'truncated-json'
  | 'no-token'
  | 'html-200';

/**
 * One faulty `POST /jwt/` response. A name is shorthand for `{ type: name }`.
 *
 * - `502-html`: 502 with an HTML page (a proxy in front of the API failing).
 * - `500`: 500 with a JSON error body.
 * - `503`: 503 with an empty body.
 * - `slow`: waits `delayMs`, then answers normally (the issue counts: it succeeds late).
 * - `hang`: never answers; the socket stays open until the client gives up or the server closes.
 * - `reset`: destroys the socket without a response.
 * - `truncated-json`: 200 `application/json` whose body stops in the middle of the token.
 * - `no-token`: 200 JSON with `account`, `otp`, `client` but no `token`.
 * - `html-200`: 200 with an HTML page.
 *
 * With `issue: true` the request is first processed for real (a valid request issues a token, uses quota
 * and may ban), then the fault replaces the answer: "the token was made but the client never got it".
 */
export type JwtFault =
  | JwtFaultName
  | { type: JwtFaultName; issue?: boolean }
  | { type: 'slow'; delayMs: number };

/** A response `control.respond` serves instead of the normal one. */
export interface CannedResponse {
  status: number;
  /** A string is sent as is (`text/plain` unless `headers` say otherwise); anything else as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many matching requests get it. Default 1; `Infinity` keeps it until cleared. */
  times?: number;
  /** Only requests with this method match (case-insensitive). Default: any method. */
  method?: string;
  /**
   * Only requests that carry valid credentials match; others get the normal 401 and leave it queued.
   * Default false: served whatever the `Authorization` header (a failing upstream).
   */
  whenAuthorized?: boolean;
  /**
   * Only requests authenticated (valid credentials) as this API user match: an endpoint that refuses one
   * user for its own reasons (a missing permission) while it serves others. Implies `whenAuthorized`.
   */
  username?: string;
}

/** Which credential an API call carried. Unknown schemes count as `none`. */
export type ApiScheme = 'JWT' | 'Bearer' | 'none';

/**
 * Counters since start (or the last `reset`/`resetStats`). Status keys are the HTTP status as a string,
 * or `reset` / `hang` for faults that send no response.
 */
export interface MockStats {
  /** Tokens issued by `POST /jwt/` (including ones a fault with `issue: true` then lost). */
  issues: { total: number; byUser: Record<string, number> };
  /**
   * Requests to `/jwt/`. `total` counts them as they arrive; `byStatus` when their outcome is known
   * (a `slow` one later). `byUser` counts requests whose body named a username.
   */
  jwtAttempts: { total: number; byStatus: Record<string, number>; byUser: Record<string, number> };
  /** Bans the quota rule caused (not `setStatus(…, 'banned')`). `users` lists each banned user once. */
  bans: { total: number; users: string[] };
  /** Requests to every other path (admin routes excluded). */
  apiCalls: { total: number; byScheme: Record<ApiScheme, number>; byStatus: Record<string, number> };
  /** Server-clock epoch ms of every successful issue, per user, oldest first. */
  issueTimes: Record<string, number[]>;
}

/** Runtime settings; `control.configure` changes any of them. */
export interface MockConfig {
  tokenLifetimeSeconds: number;
  quota: { limit: number; windowMs: number };
  inactiveBody: InactiveBody;
  latencyMs: number;
}

/** Argument of `control.configure`: any subset of `MockConfig`. */
export interface MockConfigUpdate {
  tokenLifetimeSeconds?: number;
  quota?: MockQuotaOptions;
  inactiveBody?: InactiveBody;
  latencyMs?: number;
}

/** What to revoke: one token (a JWT or an access token), every JWT issued so far to a user, or all of them. */
export type RevokeTarget = { token: string } | { username: string } | { all: true };

/** Totals that `waitFor` can wait for (each means "at least"). */
export interface WaitTarget {
  jwtAttempts?: number;
  issues?: number;
  apiCalls?: number;
  bans?: number;
}

/** Options of `control.mintToken`. */
export interface MintOptions {
  /** Default: the configured token lifetime. */
  lifetimeSeconds?: number;
  /** `iat` in epoch seconds. Default: now on the server clock. Use a past value for an expired token. */
  issuedAt?: number;
}

/** Test controls, also reachable over HTTP under `/__mock__/` (see the README). */
export interface MockControl {
  /** Adds a user, or replaces the fields given for an existing one (its `userId` and uuid stay). */
  upsertUser(user: MockUserInput): MockUserInfo;
  /** Changes a user's password. Throws for an unknown user. */
  setPassword(username: string, password: string): void;
  /**
   * Changes a user's status. Setting `active` on a `banned` user is the support team's reactivation:
   * it also empties that user's quota window, so the next valid request issues.
   */
  setStatus(username: string, status: UserStatus): void;
  getUser(username: string): MockUserInfo | undefined;
  listUsers(): MockUserInfo[];
  /** Empties the quota window of one user, or of every user. Does not touch `stats().issueTimes`. */
  resetQuota(username?: string): void;

  config(): MockConfig;
  /** Changes settings at runtime; they apply from the next request (the lifetime from the next issue). */
  configure(update: MockConfigUpdate): MockConfig;

  /** Adds a valid Bearer Account Access Token. */
  addAccessToken(token: string): void;
  /** Revokes tokens; returns how many were revoked. */
  revoke(target: RevokeTarget): number;
  /** Signs a valid JWT for a user without `POST /jwt/` (no quota, no stats). */
  mintToken(username: string, options?: MintOptions): Promise<string>;

  /** Queues faults for the next `POST /jwt/` requests, first in first out, one per request. */
  queueFaults(...faults: JwtFault[]): void;
  /** Faults not consumed yet, in order. */
  pendingFaults(): JwtFault[];
  clearFaults(): void;

  /** Serves `response` for requests to `path` (exact pathname, e.g. `/some/endpoint/`), FIFO per path. */
  respond(path: string, response: CannedResponse): void;
  /** Removes canned responses for one path, or all. */
  clearResponses(path?: string): void;

  /** The server clock: `clock()` plus every `advanceTime`. */
  now(): number;
  /** Moves the server clock forward (token expiry, quota windows, the `Date` header). */
  advanceTime(ms: number): void;

  stats(): MockStats;
  resetStats(): void;
  /** Back to the state `startMockServer` created: users, settings, tokens, faults, responses, clock offset, stats. */
  reset(): void;
  /**
   * Resolves with the stats once `condition` holds (checked now and after every change), or rejects after
   * `timeoutMs` (default 5000).
   */
  waitFor(condition: WaitTarget | ((stats: MockStats) => boolean), timeoutMs?: number): Promise<MockStats>;
}

/** What the `onRequest` hook receives for every request, as it arrives. Never carries credentials. */
export interface MockRequestInfo {
  method: string;
  path: string;
  route: 'jwt' | 'api' | 'admin';
}

/** Options of `startMockServer`. */
export interface MockServerOptions {
  /** Default `127.0.0.1`. */
  host?: string;
  /** Default 0 (a free port). */
  port?: number;
  /** Default: one active user `john.doe` / `awesomepassword`. */
  users?: MockUserInput[];
  /** Valid Account Access Tokens for the Bearer scheme. Default none. */
  accessTokens?: string[];
  /** JWT lifetime; `exp = iat + tokenLifetimeSeconds`. Default 86400. */
  tokenLifetimeSeconds?: number;
  quota?: MockQuotaOptions;
  /** HS256 signing key. Default: random per server. */
  secret?: string;
  /** Epoch ms. Default `Date.now`. */
  clock?: () => number;
  /** Delay before every `/jwt/` and API response. Default 0. */
  latencyMs?: number;
  /** Default `empty`. */
  inactiveBody?: InactiveBody;
  /** Serve the `/__mock__/` control routes. Default true. */
  admin?: boolean;
  /** Called for every request as it arrives. */
  onRequest?: (request: MockRequestInfo) => void;
  /** Receives one line per response (method, path, status, username). Never passwords or tokens. Default: silent. */
  log?: (line: string) => void;
}

/** A running mock server. */
export interface MockServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:54321`. */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  readonly control: MockControl;
  /** Stops the server and destroys every open socket, hanging ones included. Safe to call twice. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
