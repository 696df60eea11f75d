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
  /** Frees what was kept for a resend that will not happen. */
  release(): void;
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
 * Prepares a call for sending once or twice. A `Request` with a body is cloned first (its body can be
 * read once, and a resend after a 401 needs it again); a `ReadableStream` body in `init` is neither
 * buffered nor teed, so such a call is not replayable. Every other body (string, `Blob`, `FormData`,
 * `URLSearchParams`, buffers) is sent again as it is.
 */
export function prepareOutgoing(
  input: string | URL | Request,
  init: RequestInit | undefined,
  options: OutgoingOptions,
): Outgoing {
  if (typeof Request !== 'undefined' && input instanceof Request) {
    return requestOutgoing(init === undefined ? input : new Request(input, init), options);
  }
  const target = options.resolve === undefined ? input : options.resolve(input as string | URL);
  const given = init ?? {};
  const { fetchImpl, accept, timeoutMs } = options;
  return {
    signal: given.signal ?? undefined,
    replayable: !isStreamBody(given.body),
    send: (authorization) =>
      fetchImpl(target, {
        ...given,
        headers: signedHeaders(given.headers, authorization, accept),
        ...(timeoutMs === undefined ? {} : { signal: withTimeout(given.signal, timeoutMs) }),
      }),
    release: () => {},
  };
}

function requestOutgoing(request: Request, options: OutgoingOptions): Outgoing {
  const { fetchImpl, accept, timeoutMs } = options;
  // A Request's body can be read once, and a resend needs it again: keep a copy (a tee of the body)
  // only when there is a body. Without one the Request itself can be sent any number of times.
  const copy = request.body === null ? undefined : request.clone();
  let sent = false;
  return {
    signal: request.signal,
    replayable: true,
    send: (authorization) => {
      const source = sent ? (copy ?? request) : request;
      sent = true;
      const headers = new Headers(source.headers);
      headers.set('authorization', authorization);
      if (accept !== undefined && !headers.has('accept')) headers.set('accept', accept);
      return fetchImpl(
        new Request(source, {
          headers,
          ...(timeoutMs === undefined ? {} : { signal: withTimeout(source.signal, timeoutMs) }),
        }),
      );
    },
    release: () => {
      // The copy is not needed after all: cancelling its branch of the tee frees what it buffered.
      void copy?.body?.cancel().catch(() => {});
    },
  };
}

/** The call's headers with `authorization` set (overriding any given) and `accept` when none is given. */
function signedHeaders(
  given: HeadersInit | undefined,
  authorization: string,
  accept: string | undefined,
): HeadersInit {
  if (given === undefined) return accept === undefined ? { authorization } : { accept, authorization };
  const headers = new Headers(given);
  headers.set('authorization', authorization);
  if (accept !== undefined && !headers.has('accept')) headers.set('accept', accept);
  return headers;
}

function withTimeout(signal: AbortSignal | null | undefined, timeoutMs: number): AbortSignal {
  const timeout = AbortSignal.timeout(timeoutMs);
  return signal === undefined || signal === null ? timeout : AbortSignal.any([signal, timeout]);
}

/** A body that can be read only once: a `ReadableStream`, or an async iterable (undici accepts both). */
function isStreamBody(body: unknown): boolean {
  if (body === null || typeof body !== 'object') return false;
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return true;
  return Symbol.asyncIterator in body;
}
