/**
 * A standard `fetch`: inputs are a URL string, a `URL` or a `Request`, as with `globalThis.fetch`.
 * The signed fetches of this package are of this type; the fetch under one (Node's own, undici's with a
 * `dispatcher`, a wrapper) is always called with a URL and an init, never with a `Request`, so a fetch
 * whose `Request` class is not the platform's (undici's) can send every call.
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
