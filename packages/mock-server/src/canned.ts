import type { Reply } from './http.ts';
import type { CannedResponse } from './types.ts';

interface Entry {
  readonly reply: Reply;
  readonly method: string | undefined;
  readonly whenAuthorized: boolean;
  readonly username: string | undefined;
  remaining: number;
}

/** Canned answers per exact pathname, served first in first out. */
export class CannedResponses {
  readonly #byPath = new Map<string, Entry[]>();

  add(path: string, response: CannedResponse): void {
    const normalizedPath = normalizePath(path);
    const entry = toEntry(response);
    const entries = this.#byPath.get(normalizedPath);
    if (entries) entries.push(entry);
    else this.#byPath.set(normalizedPath, [entry]);
  }

  /**
   * The first matching answer for this request, consuming one of its uses; `undefined` if none.
   * `username` is the API user the request authenticated as (none when its credentials were not valid).
   */
  take(path: string, method: string, authorized: boolean, username?: string): Reply | undefined {
    const entries = this.#byPath.get(path);
    if (!entries) return undefined;
    const index = entries.findIndex(
      (entry) =>
        (entry.method === undefined || entry.method === method.toUpperCase()) &&
        (!entry.whenAuthorized || authorized) &&
        (entry.username === undefined || (authorized && entry.username === username)),
    );
    const entry = entries[index];
    if (!entry) return undefined;
    entry.remaining--;
    if (entry.remaining <= 0) entries.splice(index, 1);
    if (entries.length === 0) this.#byPath.delete(path);
    return entry.reply;
  }

  clear(path?: string): void {
    if (path === undefined) this.#byPath.clear();
    else this.#byPath.delete(normalizePath(path));
  }
}

function normalizePath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('path must be a non-empty string');
  if (path.includes('?')) throw new TypeError('path must be a pathname without a query string');
  const normalized = path.startsWith('/') ? path : `/${path}`;
  if (normalized.startsWith('/__mock__/')) throw new TypeError('admin routes cannot have canned responses');
  return normalized;
}

function toEntry(response: CannedResponse): Entry {
  if (typeof response !== 'object' || response === null) throw new TypeError('response must be an object');
  const { status, body, headers, times = 1, method, whenAuthorized = false, username } = response;
  if (!Number.isInteger(status) || status < 200 || status > 599) {
    throw new TypeError('response.status must be an integer from 200 to 599');
  }
  if (!(times === Number.POSITIVE_INFINITY || (Number.isSafeInteger(times) && times > 0))) {
    throw new TypeError('response.times must be a positive integer or Infinity');
  }
  if (method !== undefined && (typeof method !== 'string' || method.length === 0)) {
    throw new TypeError('response.method must be a non-empty string');
  }
  if (headers !== undefined && !isStringRecord(headers)) {
    throw new TypeError('response.headers must map header names to strings');
  }
  if (typeof whenAuthorized !== 'boolean') throw new TypeError('response.whenAuthorized must be a boolean');
  if (username !== undefined && (typeof username !== 'string' || username.length === 0)) {
    throw new TypeError('response.username must be a non-empty string');
  }
  const reply: Reply = { status, ...(headers ? { headers: { ...headers } } : {}) };
  if (typeof body === 'string') {
    reply.text = body;
    const contentType = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'content-type');
    if (contentType) reply.contentType = contentType[1];
  } else if (body !== undefined) {
    reply.json = structuredClone(body);
  }
  return { reply, method: method?.toUpperCase(), whenAuthorized, username, remaining: times };
}

function isStringRecord(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every((item) => typeof item === 'string')
  );
}
