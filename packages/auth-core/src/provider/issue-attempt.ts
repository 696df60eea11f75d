import { abortedError, anySignal, raceAbort } from '../abort.ts';
import type { PasswordCredentials } from '../credentials.ts';
import { jwtIssueChannel, traceAsync } from '../diagnostics/diagnostics.ts';
import { formatDuration } from '../duration.ts';
import { ConnexeaseAuthError, isConnexeaseAuthError } from '../errors.ts';
import type { IssuedToken, JwtIssuer } from '../issuer/issuer.ts';
import type { Clock } from './provider-types.ts';

export interface IssueAttemptOptions {
  issuer: JwtIssuer;
  credentials: PasswordCredentials;
  clock: Clock;
  /** The attempt fails with a retryable `TIMEOUT` after this long (the attempt still counts). */
  timeoutMs: number;
  /** Aborts the attempt (the provider is closing): `ABORTED`. */
  signal: AbortSignal;
  /** What the `connexease-kit:jwt-issue` tracing channel reports about this attempt. */
  trace?: { ns: string; attempt: number };
}

/**
 * Makes one `POST /jwt/` attempt through the issuer, bounded by a timeout and the provider's signal,
 * and always fails with a `ConnexeaseAuthError`:
 * - the issuer's own typed error as it is (its `retryable` decides about retries);
 * - `TIMEOUT` (retryable) when the attempt outlives `timeoutMs`, even if the issuer ignores its signal;
 * - `ABORTED` when the provider closes;
 * - `TOKEN_ENDPOINT_UNAVAILABLE` (retryable) for anything else an issuer throws (a network `TypeError`
 *   from `fetch`, for instance): the request may have reached the server, so it is treated as an outage.
 */
export function attemptIssue(options: IssueAttemptOptions): Promise<IssuedToken> {
  const { ns = '', attempt = 0 } = options.trace ?? {};
  return traceAsync(jwtIssueChannel, { ns, attempt }, () => attemptIssueUntraced(options));
}

async function attemptIssueUntraced(options: IssueAttemptOptions): Promise<IssuedToken> {
  const { issuer, credentials, clock, timeoutMs, signal } = options;
  if (signal.aborted) throw abortedError(signal, 'the token provider was closed');
  const timeout = new AbortController();
  const timer = new AbortController();
  const timedOut = new Promise<never>((_, reject) => {
    clock.sleep(timeoutMs, timer.signal).then(
      () => {
        timeout.abort(new ConnexeaseAuthError('TIMEOUT', 'POST /jwt/ attempt timed out'));
        reject(timeoutError(timeoutMs));
      },
      () => {},
    );
  });
  try {
    const request = { username: credentials.username, password: credentials.password };
    const call = invoke(() => issuer({ ...request, signal: anySignal([signal, timeout.signal]) }));
    const issued = await raceAbort(Promise.race([call, timedOut]), signal, 'the token provider was closed');
    checkIssued(issued);
    return issued;
  } catch (error) {
    if (timeout.signal.aborted) throw timeoutError(timeoutMs);
    if (signal.aborted) throw abortedError(signal, 'the token provider was closed');
    if (isConnexeaseAuthError(error)) throw error;
    throw new ConnexeaseAuthError(
      'TOKEN_ENDPOINT_UNAVAILABLE',
      `the JWT issuer failed with ${error instanceof Error ? error.name : typeof error}; treated as a network error`,
      { retryable: true, cause: error },
    );
  } finally {
    timer.abort();
  }
}

function timeoutError(timeoutMs: number): ConnexeaseAuthError {
  return new ConnexeaseAuthError(
    'TIMEOUT',
    `POST /jwt/ did not answer within ${formatDuration(timeoutMs)} (issueTimeoutMs); the attempt counts against the quota`,
    { retryable: true },
  );
}

function invoke<T>(run: () => Promise<T>): Promise<T> {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
}

/** An issuer is user code: make sure it kept the `IssuedToken` shape before anything relies on it. */
function checkIssued(issued: unknown): asserts issued is IssuedToken {
  const candidate = issued as Partial<IssuedToken> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.token !== 'string') {
    throw new ConnexeaseAuthError('INVALID_RESPONSE', 'the JWT issuer resolved without a token string');
  }
  if (typeof candidate.receivedAt !== 'number' || !Number.isFinite(candidate.receivedAt)) {
    throw new ConnexeaseAuthError('INVALID_RESPONSE', 'the JWT issuer resolved without a numeric receivedAt');
  }
}
