import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, parseJsonBody, type Reply, readBody, send } from './http.ts';
import type { CannedResponse, MockControl, MockUserInput, WaitTarget } from './types.ts';
import { UnknownUserError } from './users.ts';

/** Prefix of the admin routes. */
export const ADMIN_PREFIX = '/__mock__/';

type Body = Record<string, unknown>;
type Handler = (body: Body, params: string[], query: URLSearchParams) => unknown;

interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  pattern: RegExp;
  handler: Handler;
}

/** Longest `waitFor` an admin request may ask for, so a forgotten wait cannot hold a socket for long. */
const MAX_ADMIN_WAIT_MS = 60_000;

const OK = { ok: true };
const USER = '([^/]+)';

/**
 * The admin routes: JSON in, JSON out, each a thin wrapper over one `MockControl` call. Bad input is
 * 400 `{ "error" }`, an unknown user 404, an unknown route 404, a wrong method 405.
 */
export function createAdminRouter(
  control: MockControl,
): (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<void> {
  const routes = [
    ...stateRoutes(control),
    ...userRoutes(control),
    ...credentialRoutes(control),
    ...faultRoutes(control),
    ...clockRoutes(control),
  ];
  return async (request, response, url) => {
    const reply = (result: Reply): void => send(response, result, control.now());
    const relative = url.pathname.slice(ADMIN_PREFIX.length);
    const found = findRoute(routes, relative, request.method ?? 'GET');
    if (found.kind === 'reply') return reply(found.reply);
    const read = await readObjectBody(request);
    if (read.kind === 'aborted') return;
    if (read.kind === 'reply') return reply(read.reply);
    reply(await runRoute(found.route, relative, read.body, url.searchParams));
  };
}

function stateRoutes(control: MockControl): Route[] {
  return [
    { method: 'GET', pattern: /^stats$/, handler: () => control.stats() },
    {
      method: 'POST',
      pattern: /^stats\/reset$/,
      handler: () => {
        control.resetStats();
      },
    },
    {
      method: 'POST',
      pattern: /^reset$/,
      handler: () => {
        control.reset();
      },
    },
    { method: 'GET', pattern: /^config$/, handler: () => control.config() },
    { method: 'POST', pattern: /^config$/, handler: (body) => control.configure(body) },
  ];
}

function userRoutes(control: MockControl): Route[] {
  return [
    { method: 'GET', pattern: /^users$/, handler: () => ({ users: control.listUsers() }) },
    {
      method: 'POST',
      pattern: /^users$/,
      handler: (body) => control.upsertUser(body as unknown as MockUserInput),
    },
    {
      method: 'GET',
      pattern: new RegExp(`^users/${USER}$`),
      handler: (_body, [username]) => control.getUser(username!) ?? notFound(username!),
    },
    {
      method: 'POST',
      pattern: new RegExp(`^users/${USER}/password$`),
      handler: (body, [username]) => {
        control.setPassword(username!, body.password as string);
        return control.getUser(username!);
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`^users/${USER}/status$`),
      handler: (body, [username]) => {
        control.setStatus(username!, body.status as never);
        return control.getUser(username!);
      },
    },
  ];
}

function credentialRoutes(control: MockControl): Route[] {
  return [
    {
      method: 'POST',
      pattern: /^quota\/reset$/,
      handler: (body) => {
        control.resetQuota(body.username as string | undefined);
      },
    },
    {
      method: 'POST',
      pattern: /^access-tokens$/,
      handler: (body) => {
        control.addAccessToken(body.token as string);
      },
    },
    { method: 'POST', pattern: /^revoke$/, handler: (body) => ({ revoked: control.revoke(body as never) }) },
    {
      method: 'POST',
      pattern: /^tokens$/,
      handler: async (body) => ({
        token: await control.mintToken(body.username as string, {
          ...(body.lifetimeSeconds === undefined ? {} : { lifetimeSeconds: body.lifetimeSeconds as number }),
          ...(body.issuedAt === undefined ? {} : { issuedAt: body.issuedAt as number }),
        }),
      }),
    },
  ];
}

function faultRoutes(control: MockControl): Route[] {
  return [
    { method: 'GET', pattern: /^faults$/, handler: () => ({ faults: control.pendingFaults() }) },
    {
      method: 'POST',
      pattern: /^faults$/,
      handler: (body) => {
        if (!Array.isArray(body.faults)) throw new TypeError('body.faults must be an array of faults');
        control.queueFaults(...body.faults);
        return { faults: control.pendingFaults() };
      },
    },
    {
      method: 'DELETE',
      pattern: /^faults$/,
      handler: () => {
        control.clearFaults();
        return { faults: [] };
      },
    },
    {
      method: 'POST',
      pattern: /^responses$/,
      handler: (body) => {
        const { path, times, ...response } = body;
        const count = times === 'Infinity' ? Number.POSITIVE_INFINITY : times;
        control.respond(
          path as string,
          { ...response, ...(count === undefined ? {} : { times: count }) } as CannedResponse,
        );
        return OK;
      },
    },
    {
      method: 'DELETE',
      pattern: /^responses$/,
      handler: (_body, _params, query) => {
        control.clearResponses(query.get('path') ?? undefined);
      },
    },
  ];
}

function clockRoutes(control: MockControl): Route[] {
  return [
    { method: 'GET', pattern: /^time$/, handler: () => ({ now: control.now() }) },
    {
      method: 'POST',
      pattern: /^time\/advance$/,
      handler: (body) => {
        control.advanceTime(body.ms as number);
        return { now: control.now() };
      },
    },
    {
      method: 'POST',
      pattern: /^wait$/,
      handler: (body) => {
        const { timeoutMs = 5000, ...target } = body;
        if (typeof timeoutMs !== 'number' || timeoutMs > MAX_ADMIN_WAIT_MS) {
          throw new TypeError(`timeoutMs must be a number up to ${MAX_ADMIN_WAIT_MS}`);
        }
        return control.waitFor(target as WaitTarget, timeoutMs).catch((error: Error) => {
          throw new WaitTimeoutError(error.message);
        });
      },
    },
  ];
}

type RouteLookup = { kind: 'route'; route: Route } | { kind: 'reply'; reply: Reply };

function findRoute(routes: Route[], relative: string, method: string): RouteLookup {
  const matching = routes.filter((route) => route.pattern.test(relative));
  if (matching.length === 0)
    return { kind: 'reply', reply: { status: 404, json: { error: 'Unknown admin route' } } };
  const route = matching.find((candidate) => candidate.method === method);
  if (route) return { kind: 'route', route };
  const allow = matching.map((candidate) => candidate.method).join(', ');
  return {
    kind: 'reply',
    reply: { status: 405, json: { error: `Use ${allow}` }, headers: { Allow: allow } },
  };
}

/** `aborted`: the request broke off while its body was read, so there is no one to answer. */
type BodyRead = { kind: 'body'; body: Body } | { kind: 'reply'; reply: Reply } | { kind: 'aborted' };

async function readObjectBody(request: IncomingMessage): Promise<BodyRead> {
  try {
    const parsed = parseJsonBody(await readBody(request));
    if (parsed.kind === 'invalid') return badRequest('Body is not valid JSON');
    if (parsed.kind !== 'json') return { kind: 'body', body: {} };
    if (typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) {
      return badRequest('Body must be a JSON object');
    }
    return { kind: 'body', body: parsed.value as Body };
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      return { kind: 'reply', reply: { status: 413, json: { error: 'Body too large' } } };
    return { kind: 'aborted' };
  }
}

function badRequest(error: string): BodyRead {
  return { kind: 'reply', reply: { status: 400, json: { error } } };
}

async function runRoute(route: Route, relative: string, body: Body, query: URLSearchParams): Promise<Reply> {
  try {
    const params = (relative.match(route.pattern) ?? []).slice(1).map(decodePathSegment);
    return { status: 200, json: (await route.handler(body, params, query)) ?? OK };
  } catch (error) {
    return errorReply(error);
  }
}

class WaitTimeoutError extends Error {}

function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new TypeError('Bad percent-encoding in the admin route path');
  }
}

function notFound(username: string): never {
  throw new UnknownUserError(username);
}

function errorReply(error: unknown): Reply {
  if (error instanceof UnknownUserError) return { status: 404, json: { error: error.message } };
  if (error instanceof WaitTimeoutError) return { status: 408, json: { error: error.message } };
  if (error instanceof TypeError) return { status: 400, json: { error: error.message } };
  return { status: 500, json: { error: 'Mock admin route failed' } };
}
