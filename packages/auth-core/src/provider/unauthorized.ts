import { ConnexeaseAuthError } from '../errors.ts';
import { reservationWindowMs } from '../quota/quota-reservation.ts';
import type { UnauthorizedRefresh } from '../store/contract.ts';
import type { HeldToken } from './held-token.ts';
import type { JwtContext } from './jwt-context.ts';
import { adopt } from './lead-refresh.ts';
import { isSpaced, nextSpacing, spacingSettings } from './unauthorized-spacing.ts';

/**
 * Guarantee 12, after the API answered 401 to `rejected` (the held token already differs, or it would not
 * get here):
 *
 * 1. a newer token in the store is adopted (nothing issued);
 * 2. if the rejected token still works for other endpoints as far as we know (held or stored, unexpired) and
 *    the fleet refreshed for a 401 less than the spacing ago, the 401 is the endpoint's: `ENDPOINT_REFUSED`,
 *    the token is kept and nothing is issued;
 * 3. otherwise one fleet-wide refresh (`refresh`: the provider's single flight), whatever the token's age,
 *    recording the next spacing on the token it issues. The rejected token keeps serving until the
 *    replacement is in hand, so a failed refresh never leaves the replica without a token.
 */
export async function recoverFromUnauthorized(
  ctx: JwtContext,
  rejected: string,
  refresh: () => Promise<HeldToken>,
): Promise<HeldToken> {
  const { clock } = ctx.options;
  const ns = await ctx.namespace();
  // The spacing is on the store's clock: learn it (once per process) before judging it.
  const [stored] = await Promise.all([
    ctx.store.readToken(ns),
    ctx.storeClock.ensure(ctx.store, ns, { windowMs: reservationWindowMs(ctx.options) }),
  ]);
  const now = clock.now();
  const current = ctx.tokens.suitable(stored, 'usable', now);
  if (current !== null && current.value !== rejected) return adopt(ctx, ns, current, false);

  const held = ctx.tokens.held;
  const stillServing = (held?.value === rejected && now < held.expiresAt) || current?.value === rejected;
  if (!stillServing) return refresh();
  const storeNow = ctx.storeClock.now();
  const settings = spacingSettings(ctx.options);
  const last = ctx.tokens.knownSpacing;
  if (isSpaced(last, storeNow)) {
    ctx.emit({ type: 'token-rejected', ns, outcome: 'endpoint-refused' });
    throw endpointRefusedError({ spacing: last, storeNow, toLocal: (time) => ctx.storeClock.toLocal(time) });
  }
  ctx.tokens.beginUnauthorizedRefresh(rejected, nextSpacing(last, storeNow, settings));
  ctx.emit({ type: 'token-rejected', ns, outcome: 'refresh' });
  return refresh();
}

/** The `ENDPOINT_REFUSED` a 401 gets on a call already resent with a freshly refreshed token. */
export function refusedOnRetryError(): ConnexeaseAuthError {
  return new ConnexeaseAuthError(
    'ENDPOINT_REFUSED',
    'The API answered 401 again after the request was resent with a refreshed JWT: the endpoint refuses ' +
      'this API user (a missing permission, say), not the token. The token is kept and still serves other ' +
      'endpoints; nothing more is refreshed for this request',
    { status: 401 },
  );
}

function endpointRefusedError(input: {
  spacing: UnauthorizedRefresh;
  storeNow: number;
  toLocal: (storeTime: number) => number;
}): ConnexeaseAuthError {
  const { spacing, storeNow, toLocal } = input;
  const ago = Math.max(0, Math.round((storeNow - spacing.at) / 1000));
  const until = new Date(toLocal(spacing.at + spacing.intervalMs)).toISOString();
  return new ConnexeaseAuthError(
    'ENDPOINT_REFUSED',
    `The API answered 401 to a JWT although the fleet refreshed for a 401 ${ago} s ago: the endpoint refuses ` +
      'this API user (a missing permission, say), not the token. The token is kept and still serves other ' +
      `endpoints; no replica refreshes for a 401 before ${until} (the interval doubles while this goes on)`,
    { status: 401 },
  );
}
