/** Warnings already handed to `process.emitWarning` by this copy of auth-core, by code and message. */
const emitted = new Set<string>();

/** The `process.emitWarning` code used when a warning names none. */
export const DEFAULT_WARNING_CODE = 'CONNEXEASE_WARNING';

/**
 * Hands a warning nobody observed to `process.emitWarning` (so Node prints it, or a
 * `process.on('warning')` handler sees it), once per distinct code and message per process: a
 * warning must never vanish, but a provider made per request must not flood the log either.
 * Does nothing where the runtime has no `process.emitWarning`.
 */
export function emitUnobservedWarning(message: string, code: string = DEFAULT_WARNING_CODE): void {
  const key = `${code}\u0000${message}`;
  if (emitted.has(key)) return;
  const emitWarning = globalThis.process?.emitWarning;
  if (typeof emitWarning !== 'function') return;
  emitted.add(key);
  try {
    emitWarning.call(globalThis.process, message, { code });
  } catch {
    // Reporting must never break the caller (e.g. --throw-deprecation does not apply, but be safe).
  }
}
