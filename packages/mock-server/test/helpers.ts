import { onTestFinished } from 'vitest';
import { type MockServer, type MockServerOptions, startMockServer } from '../src/index.ts';

/** 2030-01-01T12:00:00Z: a fixed start for virtual clocks. */
export const START_MS: number = Date.UTC(2030, 0, 1, 12);

export const JOHN = { username: 'john.doe', password: 'awesomepassword' } as const;

/** A settable clock for `startMockServer({ clock })`. */
export interface VirtualClock {
  now: () => number;
  set: (ms: number) => void;
  advance: (ms: number) => void;
}

export function virtualClock(start: number = START_MS): VirtualClock {
  let current = start;
  return {
    now: () => current,
    set: (ms) => {
      current = ms;
    },
    advance: (ms) => {
      current += ms;
    },
  };
}

/** Starts a mock that is closed when the current test finishes. */
export async function startTestServer(options?: MockServerOptions): Promise<MockServer> {
  const server = await startMockServer(options);
  onTestFinished(() => server.close());
  return server;
}

/** `POST /jwt/` with a JSON body (a string is sent as is). */
export function postJwt(server: MockServer, body: unknown, init: RequestInit = {}): Promise<Response> {
  return fetch(`${server.url}/jwt/`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

/** Issues a token through `POST /jwt/` and returns it. */
export async function issueToken(
  server: MockServer,
  credentials: { username: string; password: string } = JOHN,
): Promise<string> {
  const response = await postJwt(server, credentials);
  if (response.status !== 200) throw new Error(`POST /jwt/ answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

/** Calls a protected endpoint with an optional `Authorization` value. */
export function callApi(
  server: MockServer,
  path: string,
  authorization?: string,
  init: RequestInit = {},
): Promise<Response> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (authorization !== undefined) headers.Authorization = authorization;
  return fetch(`${server.url}${path}`, { ...init, headers: { ...headers, ...(init.headers as object) } });
}

/** Calls an admin route and returns status and parsed JSON. */
export async function admin(
  server: MockServer,
  method: string,
  route: string,
  body?: unknown,
): Promise<{ status: number; json: unknown }> {
  const response = await fetch(`${server.url}/__mock__/${route}`, {
    method,
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } }),
  });
  return { status: response.status, json: await response.json() };
}
