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

/**
 * How many distinct warnings are remembered. Some messages carry an age, a path or a time (a stale
 * lock "3m 2s old"), so each is new: past this many, the oldest is forgotten (and would be emitted
 * again), keeping the memory bounded in a process that runs for months.
 */
const MAX_REMEMBERED = 100;

function remember(emitted: Set<string>, key: string): void {
  emitted.add(key);
  if (emitted.size <= MAX_REMEMBERED) return;
  // A Set iterates in insertion order: its first key is the oldest.
  const oldest = emitted.values().next().value;
  if (oldest !== undefined) emitted.delete(oldest);
}

/** The `process.emitWarning` code used when a warning names none. */
export const DEFAULT_WARNING_CODE = 'CONNEXEASE_WARNING';

/**
 * Hands a warning nobody observed to `process.emitWarning` (so Node prints it, or a
 * `process.on('warning')` handler sees it), once per distinct code and message per process: a
 * warning must never vanish, but a provider made per request must not flood the log either. Only
 * the last 100 distinct warnings are remembered.
 * Does nothing where the runtime has no `process.emitWarning`.
 */
export function emitUnobservedWarning(message: string, code: string = DEFAULT_WARNING_CODE): void {
  const key = `${code}\u0000${message}`;
  const emitted = emittedWarnings();
  if (emitted.has(key)) return;
  const emitWarning = globalThis.process?.emitWarning;
  if (typeof emitWarning !== 'function') return;
  remember(emitted, key);
  try {
    emitWarning.call(globalThis.process, message, { code });
  } catch {
    // Reporting must never break the caller.
  }
}
