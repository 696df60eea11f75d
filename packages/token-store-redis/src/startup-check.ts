import { reportEvent } from '@connexease-kit/auth-core/store';
import { type RedisClient, withDeadline } from './connection.ts';
import type { StoreSettings } from './settings.ts';
import { safeMessage } from './store-error.ts';

/**
 * Sends a start-up warning to `onEvent` and `logger.warn`, and on the `connexease-kit:event` channel;
 * to `process.emitWarning` (once per process and message) when none of them listens. Never throws.
 */
export function reportWarning(settings: StoreSettings, message: string, code: string): void {
  const { onEvent, logger } = settings;
  const warning = { type: 'warning', message } as const;
  // Each in its own try: a listener's or logger's failure must not break the store, nor keep the
  // warning from the other one.
  try {
    onEvent?.(warning);
  } catch {}
  try {
    logger?.warn(message);
  } catch {}
  reportEvent(warning, { observed: onEvent !== undefined || logger !== undefined, warningCode: code });
}

export function debugLine(settings: StoreSettings, message: string): void {
  settings.logger?.debug?.(`Redis token store: ${message}`);
}

/**
 * Runs `check` once, as soon as `client` is ready, off every caller's path and bounded by
 * `commandTimeoutMs`. A failed or late check is only a debug line. Returns a cancel function for `close()`.
 */
export function runOnceReady(
  client: RedisClient,
  settings: StoreSettings,
  name: string,
  check: () => Promise<(() => void) | undefined>,
): () => void {
  let cancelled = false;
  const run = async (): Promise<void> => {
    if (cancelled) return;
    const outcome = await withDeadline(name, settings.commandTimeoutMs, check).catch((error: unknown) => {
      debugLine(settings, `${name} did not finish (${safeMessage(error)})`);
      return undefined;
    });
    if (!cancelled) outcome?.();
  };
  const onReady = (): void => void run();
  if (client.status === 'ready') void run();
  else client.once('ready', onReady);
  return () => {
    cancelled = true;
    client.off('ready', onReady);
  };
}
