import type { ResolvedProviderOptions } from '../config.ts';
import type { UnauthorizedRefresh } from '../store/contract.ts';
import type { JwtContext } from './jwt-context.ts';

// Guarantee 12's spacing of 401-driven refreshes, as pure functions of the last one (store clock). The
// record travels with the token record (`TokenRecord.unauthorizedRefresh`), so every replica applies it.

/** What the spacing depends on: the first interval, and the quota window that caps and resets it. */
export interface SpacingSettings {
  /** `unauthorizedRefreshIntervalMs`. */
  baseMs: number;
  /** The quota window: the longest interval, and the quiet time after which the interval starts over. */
  windowMs: number;
}

/** Whether a 401 at `now` falls inside the spacing: the endpoint's, not the token's, and no refresh. */
export function isSpaced(spacing: UnauthorizedRefresh | null, now: number): spacing is UnauthorizedRefresh {
  return spacing !== null && now < spacing.at + spacing.intervalMs;
}

/**
 * The spacing a 401-driven refresh starting at `now` records: twice the last interval when the last
 * one still matters (see {@link carriedSpacing}), else the base; never above the window.
 */
export function nextSpacing(
  last: UnauthorizedRefresh | null,
  now: number,
  settings: SpacingSettings,
): UnauthorizedRefresh {
  const recent = carriedSpacing(last, now, settings);
  const doubled = recent === null ? 0 : Math.min(2 * recent.intervalMs, settings.windowMs);
  return { at: now, intervalMs: Math.min(settings.windowMs, Math.max(settings.baseMs, doubled)) };
}

/**
 * The last spacing while it still matters at `now`: until a whole window has passed since it ended.
 * A token issued for another reason (expiry) carries it, so an endpoint that keeps refusing the user
 * costs about one issue a day once the interval reached the window, not a new run of doublings.
 */
export function carriedSpacing(
  last: UnauthorizedRefresh | null,
  now: number,
  settings: SpacingSettings,
): UnauthorizedRefresh | null {
  return last !== null && now < last.at + last.intervalMs + settings.windowMs ? last : null;
}

/** The later of two spacings (by `at`); `null` when both are. */
export function laterSpacing(
  a: UnauthorizedRefresh | null,
  b: UnauthorizedRefresh | null,
): UnauthorizedRefresh | null {
  if (a === null) return b;
  if (b === null) return a;
  return b.at > a.at ? b : a;
}

/** The settings of {@link nextSpacing} from the provider's options. */
export function spacingSettings(options: ResolvedProviderOptions): SpacingSettings {
  return { baseMs: options.unauthorizedRefreshIntervalMs, windowMs: options.quota.windowMs };
}

/**
 * The `unauthorizedRefresh` a token issued at `storeNow` carries: the 401-driven refresh this replica
 * runs, else the fleet's last one while it still matters (so an expiry refresh does not reset the spacing).
 */
export function spacingForIssue(ctx: JwtContext, storeNow: number): UnauthorizedRefresh | null {
  return (
    ctx.tokens.pendingSpacing ??
    carriedSpacing(ctx.tokens.knownSpacing, storeNow, spacingSettings(ctx.options))
  );
}
