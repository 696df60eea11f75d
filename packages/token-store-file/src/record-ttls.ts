import type { NamespaceState } from './state.ts';

/** One record of a namespace file and the time it has left. */
export interface RecordTtl {
  /** `<file>#<record>`, e.g. `…/ns.json#token` or `…/ns.json#reservation:<id>`. */
  key: string;
  /** Milliseconds until the record expires (zero or less: expired, dropped at the next write). */
  ttlMs: number;
}

/** Lists every record in `state` with its remaining lifetime: the file-store form of Redis `PTTL`. */
export function recordTtls(path: string, state: NamespaceState, now: number): RecordTtl[] {
  const ttls: RecordTtl[] = [];
  const add = (name: string, expiresAt: number): void => {
    ttls.push({ key: `${path}#${name}`, ttlMs: expiresAt - now });
  };
  if (state.fence !== null) add('fence', state.fence.expiresAt);
  if (state.token !== null) add('token', state.token.expiresAt);
  if (state.lease !== null) add('lease', state.lease.expiresAt);
  for (const reservation of state.reservations) add(`reservation:${reservation.id}`, reservation.expiresAt);
  if (state.block !== null) add('block', state.block.expiresAt);
  if (state.quotaUnknown !== null) add('quotaUnknown', state.quotaUnknown.expiresAt);
  if (state.quotaMarker !== null) add('quotaMarker', state.quotaMarker.expiresAt);
  return ttls;
}
