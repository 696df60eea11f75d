/**
 * A standard `fetch`: Node's own, undici's (wrap it to pass a `dispatcher`), or a signed one from this
 * package. Inputs are a URL string, a `URL` or a `Request`, as with `globalThis.fetch`.
 */
export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;
