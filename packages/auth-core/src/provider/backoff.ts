/** Capped exponential backoff settings (milliseconds). */
export interface BackoffOptions {
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The pause before retry number `attempt` (1 for the pause after the first failure): "full jitter",
 * a uniform random delay between 0 and `min(maxDelayMs, baseDelayMs * 2^(attempt - 1))`, so replicas
 * that failed together do not retry together.
 *
 * @param random A function returning a number in [0, 1); injectable for tests.
 */
export function retryDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  return Math.floor(clampUnit(random()) * backoffCeiling(attempt, options));
}

/**
 * The pause before background refresh number `attempt` after failures: the same capped exponential
 * ceiling, jittered upwards by at most a quarter, never below it: the held token keeps serving
 * meanwhile, so the pause only has to be spread out, never short (no tight loop).
 */
export function backgroundRetryDelay(attempt: number, options: BackoffOptions, random: () => number): number {
  return backoffCeiling(attempt, options) * (1 + 0.25 * random());
}

/** The one exponential formula: `min(maxDelayMs, baseDelayMs * 2^(attempt - 1))`. */
function backoffCeiling(attempt: number, options: BackoffOptions): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  return Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** exponent);
}

/**
 * The pause before retry `attempt`, honouring a server's `Retry-After` (`retryAt`, epoch ms) when it
 * asks for longer than the jittered delay, but never longer than `maxDelayMs`.
 */
export function retryDelayAfter(
  attempt: number,
  options: BackoffOptions,
  random: () => number,
  now: number,
  retryAt: number | undefined,
): number {
  const jittered = retryDelay(attempt, options, random);
  if (retryAt === undefined || !(retryAt > now)) return jittered;
  return Math.max(jittered, Math.min(retryAt - now, options.maxDelayMs));
}

function clampUnit(value: number): number {
  if (!(value >= 0)) return 0;
  return value >= 1 ? 0.999_999 : value;
}
