import type { IncomingMessage, ServerResponse } from 'node:http';
import { authenticate, schemeOf } from './api-auth.ts';
import { BodyTooLargeError, parseJsonBody, type Reply, readBody, send } from './http.ts';
import type { RouteContext } from './route-context.ts';

/**
 * Every path other than `/jwt/` and the admin routes: a protected API endpoint. A canned response for
 * the path wins; otherwise 401 without valid credentials, or 200 echoing the request.
 */
export async function handleApi(
  context: RouteContext,
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
): Promise<void> {
  const { state, sleeper } = context;
  const method = request.method ?? 'GET';
  const path = url.pathname;
  const header = request.headers.authorization;
  state.stats.apiArrived(schemeOf(header));
  const finish = (reply: Reply, note: string): void => {
    send(response, reply, state.now());
    state.stats.apiOutcome(reply.status);
    context.log(`${method} ${path} ${reply.status}${note}`);
  };

  let bodyText: string;
  try {
    bodyText = await readBody(request);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      finish({ status: 413, json: { detail: 'Request body too large.' } }, '');
    return;
  }
  await sleeper.sleep(state.config.latencyMs);

  if (path === '/jwt') {
    // The token endpoint needs its trailing slash; answering 401 here would hide a client's typo.
    finish({ status: 404, json: { detail: 'Not found.' } }, ' (did you mean /jwt/?)');
    return;
  }

  const auth = await authenticate(state, header);
  const canned = state.canned.take(path, method, auth.ok, auth.ok ? auth.username : undefined);
  if (canned) {
    finish(canned, ' (canned)');
    return;
  }
  if (!auth.ok) {
    const headers = { 'WWW-Authenticate': 'JWT realm="api"', 'X-Mock-Reason': auth.reason };
    finish({ status: 401, json: auth.body, headers }, ` ${auth.reason}`);
    return;
  }

  const echo: Record<string, unknown> = { ok: true, method, path, scheme: auth.scheme };
  if (auth.username !== undefined) echo.username = auth.username;
  if (url.search) echo.query = Object.fromEntries(url.searchParams);
  const parsed = parseJsonBody(bodyText);
  if (parsed.kind === 'json') echo.body = parsed.value;
  if (parsed.kind === 'invalid') echo.text = parsed.text;
  finish({ status: 200, json: echo }, auth.username === undefined ? '' : ` ${auth.username}`);
}
