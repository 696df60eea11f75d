/**
 * Turns whatever `fetch`/ky threw into a plain `Error` that is safe to keep as a `cause`: its name,
 * message and low-level code only. ky's errors carry the `Request` and its options (headers and, for
 * `POST /jwt/`, a body holding the password), so they are never kept themselves.
 */
export function sanitizeTransportError(error: unknown): Error {
  if (!(error instanceof Error)) return new Error('non-error value thrown by fetch');
  const parts = [error.message];
  let inner: unknown = error.cause;
  // Undici nests the socket error one or two levels down (TypeError 'fetch failed' → SocketError/Error).
  for (let depth = 0; depth < 3 && inner instanceof Error; depth++) {
    const code = (inner as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code}: ${inner.message}` : `${inner.name}: ${inner.message}`);
    inner = inner.cause;
  }
  const sanitized = new Error(parts.join(' <- '));
  Object.defineProperty(sanitized, 'name', { value: error.name, configurable: true, writable: true });
  return sanitized;
}
