/**
 * One call as a signed fetch sends it, possibly twice (once more after a 401): the target and what
 * it takes to send it again with another `Authorization` value.
 */
export interface Outgoing {
  /** The caller's signal: it also cancels waiting for a token. */
  signal: AbortSignal | undefined;
  /** Whether the call can be sent a second time with its body intact. */
  replayable: boolean;
  /** Sends the call once with `authorization`, through `fetchImpl`. */
  send(authorization: string): Promise<Response>;
}

/** How a signed fetch shapes what it sends. */
export interface OutgoingOptions {
  /** The `fetch` under it. */
  fetchImpl: (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
  /** Turns a string or `URL` input into the URL to send to (a base URL applied). Default: as given. */
  resolve: ((input: string | URL) => string | URL) | undefined;
  /** `Accept` sent when the call sets none. Default: none added. */
  accept: string | undefined;
  /** Per-attempt timeout in ms (`AbortSignal.timeout`). Default: none. */
  timeoutMs: number | undefined;
}

/**
 * Prepares a URL-and-init call for sending once or twice. Its body is sent again as it is (string,
 * `Blob`, `FormData`, `URLSearchParams`, buffers can be read any number of times), except a
 * `ReadableStream` (or async iterable): that is neither buffered nor teed, so the call is not replayable.
 */
export function urlOutgoing(
  input: string | URL,
  init: RequestInit | undefined,
  options: OutgoingOptions,
): Outgoing {
  const target = options.resolve === undefined ? input : options.resolve(input);
  return outgoing(target, init ?? {}, !isStreamBody(init?.body), options);
}

/**
 * Prepares a `Request` call: its body, when it has one, is read into a buffer once (a `Request`'s body
 * can be read only once, and a resend after a 401 needs it again), and the call is sent as URL and
 * init, so any fetch (undici's, whose `Request` class is not the platform's) can send it. Extra `init`
 * members (undici's `dispatcher`, as openapi-fetch and axios pass them) are kept.
 */
export async function requestOutgoing(
  input: Request,
  init: RequestInit | undefined,
  options: OutgoingOptions,
): Promise<Outgoing> {
  const request = init === undefined ? input : new Request(input, init);
  const body = request.body === null ? undefined : await request.arrayBuffer();
  const asInit: RequestInit = {
    ...extensions(init),
    method: request.method,
    headers: request.headers,
    signal: request.signal,
    redirect: request.redirect,
    keepalive: request.keepalive,
    integrity: request.integrity,
    ...(body === undefined ? {} : { body }),
  };
  return outgoing(request.url, asInit, true, options);
}

function outgoing(
  target: string | URL,
  init: RequestInit,
  replayable: boolean,
  options: OutgoingOptions,
): Outgoing {
  const { fetchImpl, accept, timeoutMs } = options;
  return {
    signal: init.signal ?? undefined,
    replayable,
    send: (authorization) => {
      const signed = { ...init, headers: signedHeaders(init.headers, authorization, accept) };
      return timeoutMs === undefined
        ? fetchImpl(target, signed)
        : sendWithin(fetchImpl, target, signed, timeoutMs);
    },
  };
}

/**
 * Sends with a deadline for the response (its status and headers, as ky's `timeout`), after which the
 * call rejects with fetch's `TimeoutError`. The timer is cleared as soon as the response is in: unlike
 * `AbortSignal.timeout`, nothing stays scheduled for `timeoutMs` after every call, and reading the body
 * is not cut short.
 */
async function sendWithin(
  fetchImpl: OutgoingOptions['fetchImpl'],
  target: string | URL,
  init: RequestInit,
  timeoutMs: number,
): Promise<Response> {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new DOMException(`The request timed out after ${timeoutMs} ms`, 'TimeoutError')),
    timeoutMs,
  );
  const given = init.signal;
  const signal =
    given === undefined || given === null ? deadline.signal : AbortSignal.any([given, deadline.signal]);
  try {
    return await fetchImpl(target, { ...init, signal });
  } finally {
    clearTimeout(timer);
  }
}

/** What `init` holds beyond what a `Request` keeps (undici's `dispatcher`, say). */
function extensions(init: RequestInit | undefined): RequestInit {
  if (init === undefined) return {};
  const { headers, body, method, signal, duplex, ...rest } = init as RequestInit & { duplex?: unknown };
  return rest;
}

/** The call's headers with `authorization` set (overriding any given) and `accept` when none is given. */
function signedHeaders(
  given: HeadersInit | null | undefined,
  authorization: string,
  accept: string | undefined,
): HeadersInit {
  if (given === undefined || given === null) {
    return accept === undefined ? { authorization } : { accept, authorization };
  }
  const headers = new Headers(given);
  headers.set('authorization', authorization);
  if (accept !== undefined && !headers.has('accept')) headers.set('accept', accept);
  return headers;
}

/** A body that can be read only once: a `ReadableStream`, or an async iterable (undici accepts both). */
function isStreamBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return true;
  return Symbol.asyncIterator in body;
}
