import { quotaSummary } from '../quota/quota.ts';
import { reservationWindowMs } from '../quota/quota-reservation.ts';
import type { BlockRecord, Lease } from '../store/contract.ts';
import type { JwtContext } from './jwt-context.ts';
import type { AuthStatus } from './provider-types.ts';

/** `status()` of the JWT provider: the store's view of the namespace, read in one round. */
export async function readJwtStatus(ctx: JwtContext, ns: string): Promise<AuthStatus> {
  const { options, store, storeClock, tokens } = ctx;
  const windowMs = reservationWindowMs(options);
  const [usage, lease, block, stored] = await Promise.all([
    storeClock.quotaUsage(store, ns, { windowMs }),
    store.readLease(ns),
    store.readBlock(ns),
    store.readToken(ns),
  ]);
  const now = options.clock.now();
  const held = tokens.held !== null && now < tokens.held.expiresAt ? tokens.held : null;
  const token = held ?? tokens.suitable(stored, 'usable', now);
  const summary = quotaSummary(usage.reservedAt, usage.now, { limit: options.quota.limit, windowMs });
  return {
    mode: 'jwt',
    namespace: ns,
    quota: { ...summary, windowMs: options.quota.windowMs },
    token:
      token === null
        ? null
        : { expiresAt: token.expiresAt, issuedAt: token.issuedAt, refreshAt: token.refreshAt },
    block: await blockStatus(ctx, block, now),
    lease: leaseStatus(lease),
  };
}

async function blockStatus(
  ctx: JwtContext,
  block: BlockRecord | null,
  now: number,
): Promise<AuthStatus['block']> {
  if (block === null) return null;
  return {
    code: block.code,
    reason: block.reason,
    createdAt: block.createdAt,
    until: block.until ?? null,
    appliesToCurrentCredentials: await ctx.blocks.applies(block, now),
  };
}

function leaseStatus(lease: Lease | null): AuthStatus['lease'] {
  return lease === null ? null : { fence: lease.fence, expiresAt: lease.expiresAt };
}
