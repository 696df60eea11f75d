/**
 * A relative path that standard URL resolution against a base ending in `/` (without query or
 * fragment) turns into plain concatenation: no scheme, no leading `/`, `?` or `#`, no dot segments, and
 * only characters the URL parser keeps as they are.
 */
const PLAIN_RELATIVE =
  /^(?!\.{1,2}(?:\/|$))[\w~-][\w~-]*(?:\/(?!\.{1,2}(?:\/|$|\?))[\w~.-]*)*(?:\?[\w~.%=&+-]*)?$/;

/**
 * Resolves an input against `base` (which ends with `/`) by standard URL rules, as `new URL(input, base)`
 * does; the common case, a plain relative path such as `'some/endpoint/'`, is a string concatenation
 * (the fetch underneath parses the URL anyway).
 */
export function resolveAgainst(base: string): (input: string | URL) => string | URL {
  return (input) => {
    if (typeof input === 'string' && PLAIN_RELATIVE.test(input)) return base + input;
    return new URL(input, base);
  };
}
