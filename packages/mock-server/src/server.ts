import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { assertSupportedNode } from '@connexease-kit/auth-core/transport';
import { ADMIN_PREFIX, createAdminRouter } from './admin-routes.ts';
import { handleApi } from './api-route.ts';
import { createControl } from './control.ts';
import { send } from './http.ts';
import { handleJwt } from './jwt-route.ts';
import { type ResolvedOptions, resolveOptions } from './options.ts';
import type { RouteContext } from './route-context.ts';
import { Sleeper } from './sleeper.ts';
import { MockState } from './state.ts';
import type { MockRequestInfo, MockServer, MockServerOptions } from './types.ts';

// Every entry (the library, the CLI) loads this module first: checking here, with auth-core imported
// ahead of jose, fails an older Node.js before any dependency runs.
assertSupportedNode();

/**
 * Starts a fake Connexease API over real HTTP: `POST /jwt/` with the documented answers, the per-user
 * sliding-window quota that bans, protected endpoints for `JWT` and `Bearer`, queued faults, canned
 * responses and `/__mock__/` control routes. Resolves once it listens.
 */
export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const resolved = resolveOptions(options);
  const state = new MockState(resolved);
  const sleeper = new Sleeper();
  const closeCallbacks = new Set<() => void>();
  const control = createControl(state, {
    onClose(callback) {
      closeCallbacks.add(callback);
      return () => closeCallbacks.delete(callback);
    },
  });
  const context: RouteContext = { state, sleeper, log: resolved.log ?? (() => {}) };
  const admin = resolved.admin ? createAdminRouter(control) : undefined;

  const sockets = new Set<Socket>();
  const server = createHttpServer(requestHandler(resolved, context, admin), context, sockets);
  await listen(server, resolved.port, resolved.host);
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The mock server has no TCP address');
  const urlHost = address.address.includes(':') ? `[${address.address}]` : address.address;

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= new Promise<void>((resolve) => {
      sleeper.cancelAll();
      for (const callback of closeCallbacks) callback();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return closing;
  };

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    host: address.address,
    control,
    close,
    [Symbol.asyncDispose]: close,
  };
}

type RequestHandler = (request: IncomingMessage, response: ServerResponse) => Promise<void>;

function requestHandler(
  resolved: ResolvedOptions,
  context: RouteContext,
  admin: ReturnType<typeof createAdminRouter> | undefined,
): RequestHandler {
  return async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://mock.invalid');
    const method = request.method ?? 'GET';
    const route: MockRequestInfo['route'] =
      admin && url.pathname.startsWith(ADMIN_PREFIX) ? 'admin' : url.pathname === '/jwt/' ? 'jwt' : 'api';
    resolved.onRequest?.({ method, path: url.pathname, route });
    if (route === 'admin') await admin!(request, response, url);
    else if (route === 'jwt') await handleJwt(context, request, response);
    else await handleApi(context, request, response, url);
  };
}

function createHttpServer(handle: RequestHandler, context: RouteContext, sockets: Set<Socket>): Server {
  const server = createServer((request, response) => {
    request.on('error', () => {}); // a client that disconnects mid-request is not the server's problem
    handle(request, response).catch(() => {
      send(response, { status: 500, json: { detail: 'Mock server error.' } }, context.state.now());
      context.log(`${request.method} ${request.url?.split('?')[0]} 500 (mock error)`);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return server;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
