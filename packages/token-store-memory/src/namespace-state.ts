import {
  type BlockRecord,
  emptyQuota,
  type Lease,
  purgeQuota,
  type StoredQuota,
  type TokenRecord,
} from '@connexease-kit/auth-core/store';
import type { RecordTtl } from './options.ts';

/**
 * Everything one namespace holds. Each record carries its own expiry and is dropped lazily by
 * `purge(now)`; nothing here reads a clock, so the store decides what "now" is.
 */
export class NamespaceState {
  token: TokenRecord | undefined;
  lease: Lease | undefined;
  block: { record: BlockRecord; expiresAt: number } | undefined;
  /** The quota entries and their marker (auth-core's quota-record rules). */
  quota: StoredQuota = emptyQuota();
  /** The last fence granted. */
  fence = 0;
  /** The counter is forgotten (and restarts at 0) only after this and after every other record. */
  fenceExpiresAt: number = Number.NEGATIVE_INFINITY;

  /** Drops every record whose time is up at `now`. */
  purge(now: number): void {
    if (this.token !== undefined && this.token.expiresAt <= now) this.token = undefined;
    if (this.lease !== undefined && this.lease.expiresAt <= now) this.lease = undefined;
    if (this.block !== undefined && this.block.expiresAt <= now) this.block = undefined;
    this.quota = purgeQuota(this.quota, now);
    if (this.fenceExpiresAt <= now && this.holdsNoRecord()) this.fence = 0;
  }

  /** True when, after `purge(now)`, nothing is left worth keeping (the store may drop the namespace). */
  isEmpty(now: number): boolean {
    this.purge(now);
    return this.holdsNoRecord() && this.fence === 0;
  }

  /** Keeps the fence counter alive at least until `time`. */
  keepFenceUntil(time: number): void {
    if (time > this.fenceExpiresAt) this.fenceExpiresAt = time;
  }

  /** The lifetime left to every record held at `now`. */
  ttls(now: number): RecordTtl[] {
    this.purge(now);
    const ttls: RecordTtl[] = [];
    if (this.token !== undefined) ttls.push({ key: 'token', ttlMs: this.token.expiresAt - now });
    if (this.lease !== undefined) ttls.push({ key: 'lease', ttlMs: this.lease.expiresAt - now });
    if (this.block !== undefined) ttls.push({ key: 'block', ttlMs: this.block.expiresAt - now });
    if (this.quota.entries.length > 0) {
      let last = Number.NEGATIVE_INFINITY;
      for (const { expiresAt } of this.quota.entries) last = Math.max(last, expiresAt);
      ttls.push({ key: 'quota', ttlMs: last - now });
    }
    if (this.quota.marker !== null) ttls.push({ key: 'epoch', ttlMs: this.quota.marker.expiresAt - now });
    if (this.fence > 0) ttls.push({ key: 'fence', ttlMs: this.fenceDeadline() - now });
    return ttls;
  }

  /** When the fence counter will be forgotten if nothing else is written. */
  private fenceDeadline(): number {
    let deadline = this.fenceExpiresAt;
    if (this.token !== undefined) deadline = Math.max(deadline, this.token.expiresAt);
    if (this.lease !== undefined) deadline = Math.max(deadline, this.lease.expiresAt);
    if (this.block !== undefined) deadline = Math.max(deadline, this.block.expiresAt);
    for (const { expiresAt } of this.quota.entries) deadline = Math.max(deadline, expiresAt);
    if (this.quota.marker !== null) deadline = Math.max(deadline, this.quota.marker.expiresAt);
    return deadline;
  }

  private holdsNoRecord(): boolean {
    return (
      this.token === undefined &&
      this.lease === undefined &&
      this.block === undefined &&
      this.quota.entries.length === 0 &&
      this.quota.marker === null
    );
  }
}
