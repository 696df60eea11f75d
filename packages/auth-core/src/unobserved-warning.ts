/**
 * Warnings already handed to `process.emitWarning`, by code and message. Kept on `globalThis` under a
 * registered symbol, so two copies of auth-core in one process (a common install layout) share it.
 */
const EMITTED = Symbol.for('connexease-kit.emitted-warnings');

function emittedWarnings(): Set<string> {
  const holder = globalThis as { [EMITTED]?: Set<string> };
  holder[EMITTED] ??= new Set<string>();
  return holder[EMITTED];
}

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
  const emitted = emittedWarnings();
  if (emitted.has(key)) return;
  const emitWarning = globalThis.process?.emitWarning;
  if (typeof emitWarning !== 'function') return;
  emitted.add(key);
  try {
    emitWarning.call(globalThis.process, message, { code });
  } catch {
    // Reporting must never break the caller.
  }
}
