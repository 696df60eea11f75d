/**
 * A namespace no other test, run or process will use: `<prefix>:<uuid>`. The suite calls it for every
 * namespace it touches, so stores can share one backend with anything else.
 */
export function randomNamespace(prefix = 'cxk-conformance'): string {
  return `${prefix}:${crypto.randomUUID()}`;
}
