import { ConnexeaseAuthError, type ConnexeaseAuthErrorCode } from '../errors.ts';
import { describeUnsafeToken } from '../token/schemes.ts';
import type { IssuedToken } from './issuer.ts';
import { sanitizeSnippet } from './sanitize.ts';

/** Response headers: a Fetch `Headers` (or anything with `get`), or a Node-style header record. */
export type HeadersLike =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

/** The outcome of one `POST /jwt/` response: the issued token, or the typed error to raise. */
export type JwtResponseClassification =
  | { ok: true; issued: IssuedToken }
  | { ok: false; error: ConnexeaseAuthError };

/** Options of {@link classifyJwtResponse}. */
export interface ClassifyOptions {
  /** Local clock when the response arrived (epoch ms). Default `Date.now()`. */
  receivedAt?: number;
  /** Values to redact if the server echoes them (pass the request's password). */
  redact?: readonly string[];
}

const MAX_ACCOUNT_ID_LENGTH = 128;
const DO_NOT_RETRY = '4XX responses are never retried';

/**
 * Classifies one `POST /jwt/` response into an {@link IssuedToken} or a typed error. It never throws.
 *
 * | status | result |
 * |---|---|
 * | 2XX with a JSON object holding a non-empty, header-safe string `token` | `ok` (with `serverDate` from `Date`, `accountId` from `account.uuid`) |
 * | 2XX otherwise | `INVALID_RESPONSE`; `retryable` only when the body looks cut off (empty, or JSON that does not parse): a transport glitch. HTML, text or JSON without a usable token are not retried: the same answer would come back and cost quota again |
 * | 400 | `INVALID_REQUEST` |
 * | 401 | `INVALID_CREDENTIALS` |
 * | 403 whose message mentions "banned" | `AGENT_BANNED` |
 * | any other 403 (JSON, HTML or empty) | `ACCOUNT_INACTIVE` |
 * | 408, 429 | `TOKEN_ENDPOINT_UNAVAILABLE`, not retryable, `retryAt` from `Retry-After` when given |
 * | other 4XX (404, 405, 422…) | `INVALID_REQUEST`, not retryable |
 * | 5XX (HTML proxy pages included) | `TOKEN_ENDPOINT_UNAVAILABLE`, retryable, `retryAt` from `Retry-After` when given |
 * | 1XX, 3XX, anything else | `INVALID_RESPONSE`, not retryable |
 *
 * No 4XX is ever retryable (the API's rule). Errors carry `status`. Messages quote at most a short,
 * single-line, HTML-stripped snippet of the server's own message, with tokens and `options.redact`
 * values removed.
 */
export function classifyJwtResponse(
  status: number,
  headers: HeadersLike,
  bodyText: string,
  options: ClassifyOptions = {},
): JwtResponseClassification {
  const receivedAt = options.receivedAt ?? Date.now();
  const text = typeof bodyText === 'string' ? bodyText : '';
  const secrets = options.redact ?? [];
  const body = parseJson(text);
  const validStatus = Number.isInteger(status);
  const fail = (code: ConnexeaseAuthErrorCode, message: string, retryable = false, retryAt?: number) => ({
    ok: false as const,
    error: new ConnexeaseAuthError(code, message, {
      ...(validStatus ? { status } : {}),
      retryable,
      ...(retryAt === undefined ? {} : { retryAt }),
    }),
  });

  if (!validStatus) {
    return fail('INVALID_RESPONSE', 'POST /jwt/ answered without a valid HTTP status');
  }
  if (status >= 200 && status <= 299) {
    return classifySuccess(status, headers, text, body, receivedAt, fail);
  }
  const rawMessage = rawServerMessage(body, text);
  const snippet = sanitizeSnippet(rawMessage, secrets);
  const quoted = snippet === '' ? '' : `: ${snippet}`;
  const server: ServerAnswer = { status, headers, receivedAt, rawMessage, quoted };
  if (status >= 400 && status <= 499) return classifyRejection(server, fail);
  return classifyNonClientError(server, fail);
}

/** A non-2XX answer, with the server's message as sent (`rawMessage`) and as safe to quote (`quoted`). */
interface ServerAnswer {
  status: number;
  headers: HeadersLike;
  receivedAt: number;
  rawMessage: string;
  quoted: string;
}

function classifyRejection(server: ServerAnswer, fail: Fail): JwtResponseClassification {
  const { status, quoted } = server;
  if (status === 400) {
    return fail('INVALID_REQUEST', `POST /jwt/ rejected the request (400)${quoted}; ${DO_NOT_RETRY}`);
  }
  if (status === 401) {
    return fail(
      'INVALID_CREDENTIALS',
      `POST /jwt/ rejected the username or password (401)${quoted}; fix the credentials (${DO_NOT_RETRY})`,
    );
  }
  if (status === 403) return classifyForbidden(server, fail);
  if (status === 408 || status === 429) {
    const what = status === 429 ? 'rate limited' : 'timed out waiting for the request';
    return fail(
      'TOKEN_ENDPOINT_UNAVAILABLE',
      `POST /jwt/ ${what} (${status})${quoted}; ${DO_NOT_RETRY}`,
      false,
      retryAfter(server.headers, server.receivedAt),
    );
  }
  const hint = status === 404 || status === 405 ? '; check that baseUrl points at the Connexease API' : '';
  return fail('INVALID_REQUEST', `POST /jwt/ answered ${status}${quoted}${hint}; ${DO_NOT_RETRY}`);
}

function classifyForbidden({ rawMessage, quoted }: ServerAnswer, fail: Fail): JwtResponseClassification {
  if (/banned/i.test(rawMessage)) {
    return fail(
      'AGENT_BANNED',
      `the API user is banned (403)${quoted}; ask Connexease support to reactivate it, then call unblock()`,
    );
  }
  return fail(
    'ACCOUNT_INACTIVE',
    `the API user's account is inactive (403)${quoted}; ask Connexease support to activate it, then call unblock()`,
  );
}

function classifyNonClientError(server: ServerAnswer, fail: Fail): JwtResponseClassification {
  const { status, quoted } = server;
  if (status >= 500 && status <= 599) {
    return fail(
      'TOKEN_ENDPOINT_UNAVAILABLE',
      `POST /jwt/ is unavailable (${status})${quoted}`,
      true,
      retryAfter(server.headers, server.receivedAt),
    );
  }
  if (status >= 300 && status <= 399) {
    return fail(
      'INVALID_RESPONSE',
      `POST /jwt/ answered a redirect (${status}); set baseUrl to the URL the API lives at (usually https)`,
    );
  }
  return fail('INVALID_RESPONSE', `POST /jwt/ answered an unexpected status ${status}`);
}

type Fail = (
  code: ConnexeaseAuthErrorCode,
  message: string,
  retryable?: boolean,
  retryAt?: number,
) => { ok: false; error: ConnexeaseAuthError };

function classifySuccess(
  status: number,
  headers: HeadersLike,
  text: string,
  body: ParsedBody,
  receivedAt: number,
  fail: Fail,
): JwtResponseClassification {
  const prefix = `POST /jwt/ answered ${status} without a usable token`;
  if (!body.ok) {
    const trimmed = text.trim();
    if (trimmed === '') return fail('INVALID_RESPONSE', `${prefix}: the body is empty`, true);
    if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
      return fail('INVALID_RESPONSE', `${prefix}: the JSON body is cut off or invalid`, true);
    }
    const kind = trimmed.startsWith('<') ? 'an HTML page' : 'not JSON';
    return fail('INVALID_RESPONSE', `${prefix}: the body is ${kind}; check baseUrl and any proxy in between`);
  }
  const value = body.value;
  if (!isRecord(value)) {
    return fail('INVALID_RESPONSE', `${prefix}: the JSON body is not an object`);
  }
  const problem = describeUnsafeToken(value.token);
  if (problem !== null) {
    const detail = value.token === undefined ? 'the body has no "token" field' : `"token" ${problem}`;
    return fail('INVALID_RESPONSE', `${prefix}: ${detail}`);
  }
  const issued: IssuedToken = { token: value.token as string, receivedAt };
  const serverDate = parseHttpDate(readHeader(headers, 'date'));
  if (serverDate !== undefined) issued.serverDate = serverDate;
  const account = value.account;
  if (isRecord(account) && typeof account.uuid === 'string') {
    const uuid = account.uuid;
    if (uuid.length > 0 && uuid.length <= MAX_ACCOUNT_ID_LENGTH && /^[\x21-\x7e]+$/.test(uuid)) {
      issued.accountId = uuid;
    }
  }
  return { ok: true, issued };
}

type ParsedBody = { ok: true; value: unknown } | { ok: false };

function parseJson(text: string): ParsedBody {
  if (text.trim() === '') return { ok: false };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** The server's own words, unsanitised: a JSON `message`/`detail`/`error…` string, or a non-JSON body's text. */
function rawServerMessage(body: ParsedBody, text: string): string {
  if (!body.ok) return text;
  const value = body.value;
  if (typeof value === 'string') return value;
  if (!isRecord(value)) return '';
  for (const field of ['message', 'detail', 'error_description', 'error', 'non_field_errors']) {
    const candidate = value[field];
    if (typeof candidate === 'string') return candidate;
    if (Array.isArray(candidate) && candidate.every((item) => typeof item === 'string'))
      return candidate.join(' ');
  }
  return '';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads a header from a Fetch `Headers`-like object or a Node-style record, case-insensitively. */
function readHeader(headers: HeadersLike, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  if (typeof headers.get === 'function') {
    try {
      return (headers as { get(name: string): string | null }).get(name) ?? undefined;
    } catch {
      return undefined;
    }
  }
  const record = headers as Record<string, string | string[] | undefined>;
  for (const key of Object.keys(record)) {
    if (key.toLowerCase() !== name) continue;
    const value = record[key];
    if (typeof value === 'string') return value;
    if (Array.isArray(value) && typeof value[0] === 'string') return value[0];
  }
  return undefined;
}

function parseHttpDate(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const time = Date.parse(value);
  return Number.isFinite(time) ? time : undefined;
}

/** `Retry-After` as an epoch-ms time: delta-seconds or an HTTP date. */
function retryAfter(headers: HeadersLike, receivedAt: number): number | undefined {
  const value = readHeader(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return receivedAt + Number(value) * 1000;
  return parseHttpDate(value);
}
