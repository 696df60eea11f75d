import { lockKey, NOW_MS, type SqlNames } from './names.ts';

/**
 * The quota's SQL, all in one place (auth-core's quota contract, guarantees 1, 10 and 11):
 *
 * - entries: one row per reservation id, at the database's time, kept until `expires_at` (its time +
 *   the retention, at least 24 h) whatever window a caller counts;
 * - a marker per namespace (`quota_markers`): the record's epoch, created with the first entry, and the
 *   id and time of the newest entry ever added. When that entry is gone before it could have been
 *   pruned, the entries were lost (a truncated quota table) and `lost_through` reports it: the window
 *   counts as spent until re-adding that entry (a replica that remembers it remembers the window) or
 *   `clear_quota_loss_v1` ends it;
 * - every write takes the namespace's advisory lock, so each call is one atomic step.
 */

/** How long a marker lives after the last quota write (beside the fence's retention in other stores). */
export const MARKER_RETENTION_MS: number = 30 * 24 * 60 * 60 * 1000;
/** The most entries an answer lists (auth-core's `MAX_KNOWN_QUOTA_ENTRIES`). */
const MAX_ENTRIES = 64;

/** The columns every quota answer carries: the record's state after the call. */
const STATE_COLUMNS = 'used integer, entry_ids text[], entry_ats bigint[], epoch text, lost_through bigint';

/**
 * `quota_state_v1(ns, window_ms, now)`: entries inside the window (the newest 64, oldest first), their
 * count, the epoch, and `lost_through` (the newest entry's time when the marker says it should still be
 * kept but the entries do not hold it). Reads only.
 */
function stateFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('quota_state_v1')}(p_ns text, p_window bigint, p_now bigint)
RETURNS TABLE (${STATE_COLUMNS}) LANGUAGE sql AS $fn$
  WITH w AS (
    SELECT q.id, q.reserved_at FROM ${names.quota} q
    WHERE q.ns = p_ns AND q.reserved_at > p_now - p_window AND q.expires_at > p_now
  ), newest AS (
    SELECT w.id, w.reserved_at FROM w ORDER BY w.reserved_at DESC, w.id DESC LIMIT ${MAX_ENTRIES}
  ), m AS (
    SELECT k.* FROM ${names.quotaMarkers} k WHERE k.ns = p_ns AND k.expires_at > p_now
  )
  SELECT
    (SELECT count(*)::integer FROM w),
    coalesce((SELECT array_agg(n.id ORDER BY n.reserved_at, n.id) FROM newest n), '{}'::text[]),
    coalesce((SELECT array_agg(n.reserved_at ORDER BY n.reserved_at, n.id) FROM newest n), '{}'::bigint[]),
    (SELECT m.epoch FROM m),
    (SELECT m.last_at FROM m
     WHERE m.last_id IS NOT NULL AND p_now < m.last_kept_until
       AND NOT EXISTS (
         SELECT 1 FROM ${names.quota} q WHERE q.ns = p_ns AND q.id = m.last_id AND q.expires_at > p_now))
$fn$`;
}

/**
 * `quota_mark_v1(ns, id, at, retention_ms, now)`: records an added entry in the marker (creating it, with
 * a new epoch, when missing or expired; moving the newest entry forward) and refreshes its TTL.
 * The caller holds the namespace's lock.
 */
function markFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('quota_mark_v1')}(
  p_ns text, p_id text, p_at bigint, p_retention bigint, p_now bigint)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  v_keep bigint := greatest(p_now + ${MARKER_RETENTION_MS}, p_at + p_retention);
BEGIN
  IF NOT EXISTS (SELECT 1 FROM ${names.quotaMarkers} k WHERE k.ns = p_ns AND k.expires_at > p_now) THEN
    INSERT INTO ${names.quotaMarkers} AS k (ns, epoch, last_id, last_at, last_kept_until, expires_at)
    VALUES (p_ns, md5(random()::text || clock_timestamp()::text || p_ns), p_id, p_at, p_at + p_retention, v_keep)
    ON CONFLICT (ns) DO UPDATE SET epoch = excluded.epoch, last_id = excluded.last_id, last_at = excluded.last_at,
      last_kept_until = excluded.last_kept_until, expires_at = excluded.expires_at;
    RETURN;
  END IF;
  UPDATE ${names.quotaMarkers} k SET
    last_id = CASE WHEN k.last_at IS NULL OR p_at >= k.last_at THEN p_id ELSE k.last_id END,
    last_kept_until = CASE WHEN k.last_at IS NULL OR p_at >= k.last_at THEN p_at + p_retention ELSE k.last_kept_until END,
    last_at = CASE WHEN k.last_at IS NULL OR p_at >= k.last_at THEN p_at ELSE k.last_at END,
    expires_at = greatest(k.expires_at, v_keep)
  WHERE k.ns = p_ns;
END
$fn$`;
}

/**
 * `quota_readd_v1(ns, ids, ats, window_ms, retention_ms, now)`: adds each remembered entry whose id is not
 * held, at `least(at, now)`, unless it is already out of the window. Idempotent by id. The caller holds
 * the namespace's lock.
 */
function readdFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('quota_readd_v1')}(
  p_ns text, p_ids text[], p_ats bigint[], p_window bigint, p_retention bigint, p_now bigint)
RETURNS void LANGUAGE plpgsql AS $fn$
DECLARE
  v_index integer;
  v_at bigint;
BEGIN
  FOR v_index IN 1 .. coalesce(array_length(p_ids, 1), 0) LOOP
    v_at := least(p_ats[v_index], p_now);
    CONTINUE WHEN v_at <= p_now - p_window;
    INSERT INTO ${names.quota} AS q (ns, id, reserved_at, expires_at)
    VALUES (p_ns, p_ids[v_index], v_at, v_at + p_retention)
    ON CONFLICT (ns, id) DO UPDATE SET reserved_at = excluded.reserved_at, expires_at = excluded.expires_at
    WHERE q.expires_at <= p_now;
    IF FOUND THEN PERFORM ${names.fn('quota_mark_v1')}(p_ns, p_ids[v_index], v_at, p_retention, p_now); END IF;
  END LOOP;
END
$fn$`;
}

/**
 * `reserve_issue_v1(ns, id, limit, window_ms, retention_ms, lease_id, lease_fence, known_ids, known_ats)`
 * → one row `(granted, denied, now_ms, retry_at, <state>)`, in the contract's order: the lease, the
 * re-adds, the same id, a lost past, the limit, the grant. Entries "from the future" (the clock stepped
 * back) count.
 */
function reserveIssueFunction(names: SqlNames): string {
  const state = `${names.fn('quota_state_v1')}(p_ns, p_window, v_now) s`;
  return `CREATE OR REPLACE FUNCTION ${names.fn('reserve_issue_v1')}(
  p_ns text, p_id text, p_limit integer, p_window bigint, p_retention bigint,
  p_lease_id text, p_lease_fence bigint, p_known_ids text[], p_known_ats bigint[])
RETURNS TABLE (granted boolean, denied text, now_ms bigint, retry_at bigint, ${STATE_COLUMNS})
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint;
  v_used integer;
  v_lost bigint;
  v_at bigint;
  v_age_out bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(${lockKey(names, 'p_ns')});
  v_now := ${NOW_MS};
  IF NOT EXISTS (
    SELECT 1 FROM ${names.leases} l
    WHERE l.ns = p_ns AND l.owner_id = p_lease_id AND l.fence = p_lease_fence AND l.expires_at > v_now
  ) THEN
    RETURN QUERY SELECT false, 'lease'::text, v_now, NULL::bigint, s.* FROM ${state};
    RETURN;
  END IF;
  DELETE FROM ${names.quota} q WHERE q.ns = p_ns AND q.expires_at <= v_now;
  PERFORM ${names.fn('quota_readd_v1')}(p_ns, p_known_ids, p_known_ats, p_window, p_retention, v_now);
  SELECT s.used, s.lost_through INTO v_used, v_lost FROM ${state};
  SELECT q.reserved_at INTO v_at FROM ${names.quota} q WHERE q.ns = p_ns AND q.id = p_id AND q.expires_at > v_now;
  IF v_at IS NOT NULL AND v_at > v_now - p_window THEN
    RETURN QUERY SELECT true, NULL::text, v_now, NULL::bigint, s.* FROM ${state};
    RETURN;
  END IF;
  IF v_lost IS NOT NULL AND v_lost > v_now - p_window THEN
    RETURN QUERY SELECT false, 'lost'::text, v_now, v_lost + p_window, s.* FROM ${state};
    RETURN;
  END IF;
  IF v_used >= p_limit THEN
    -- Retry when enough entries have aged out for one more to fit.
    SELECT q.reserved_at + p_window INTO v_age_out FROM ${names.quota} q
    WHERE q.ns = p_ns AND q.reserved_at > v_now - p_window AND q.expires_at > v_now
    ORDER BY q.reserved_at OFFSET v_used - p_limit LIMIT 1;
    RETURN QUERY SELECT false, 'quota'::text, v_now, v_age_out, s.* FROM ${state};
    RETURN;
  END IF;
  INSERT INTO ${names.quota} AS q (ns, id, reserved_at, expires_at) VALUES (p_ns, p_id, v_now, v_now + p_retention)
  ON CONFLICT (ns, id) DO UPDATE SET reserved_at = excluded.reserved_at, expires_at = excluded.expires_at;
  PERFORM ${names.fn('quota_mark_v1')}(p_ns, p_id, v_now, p_retention, v_now);
  RETURN QUERY SELECT true, NULL::text, v_now, NULL::bigint, s.* FROM ${state};
END
$fn$`;
}

/** `restore_quota_v1(ns, window_ms, retention_ms, known_ids, known_ats)` → `(now_ms, <state>)`: the re-adds alone, no lease needed. */
function restoreQuotaFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('restore_quota_v1')}(
  p_ns text, p_window bigint, p_retention bigint, p_known_ids text[], p_known_ats bigint[])
RETURNS TABLE (now_ms bigint, ${STATE_COLUMNS})
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(${lockKey(names, 'p_ns')});
  v_now := ${NOW_MS};
  PERFORM ${names.fn('quota_readd_v1')}(p_ns, p_known_ids, p_known_ats, p_window, p_retention, v_now);
  RETURN QUERY SELECT v_now, s.* FROM ${names.fn('quota_state_v1')}(p_ns, p_window, v_now) s;
END
$fn$`;
}

/** `quota_usage_v1(ns, window_ms)` → `(now_ms, <state>)`; reads only. */
function quotaUsageFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('quota_usage_v1')}(p_ns text, p_window bigint)
RETURNS TABLE (now_ms bigint, ${STATE_COLUMNS})
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint := ${NOW_MS};
BEGIN
  RETURN QUERY SELECT v_now, s.* FROM ${names.fn('quota_state_v1')}(p_ns, p_window, v_now) s;
END
$fn$`;
}

/** `clear_quota_loss_v1(ns)` → whether a loss was recorded; forgets it (the newest entry's id), keeps entries and epoch. */
function clearQuotaLossFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('clear_quota_loss_v1')}(p_ns text)
RETURNS boolean LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint;
  v_lost bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(${lockKey(names, 'p_ns')});
  v_now := ${NOW_MS};
  SELECT s.lost_through INTO v_lost FROM ${names.fn('quota_state_v1')}(p_ns, 1, v_now) s;
  IF v_lost IS NULL THEN RETURN false; END IF;
  UPDATE ${names.quotaMarkers} k SET last_id = NULL WHERE k.ns = p_ns;
  RETURN true;
END
$fn$`;
}

export function quotaFunctions(names: SqlNames): string[] {
  return [
    stateFunction(names),
    markFunction(names),
    readdFunction(names),
    reserveIssueFunction(names),
    restoreQuotaFunction(names),
    quotaUsageFunction(names),
    clearQuotaLossFunction(names),
  ];
}

const STATE_SELECT = 'used, entry_ids, entry_ats, epoch, lost_through';

/** The quota statements a store runs. */
export interface QuotaStatements {
  /** ns, id, limit, window ms, retention ms, lease id, lease fence, known ids, known times. */
  reserveIssue: string;
  /** ns, window ms, retention ms, known ids, known times. */
  restoreQuota: string;
  /** ns, window ms. */
  quotaUsage: string;
  /** ns. */
  clearQuotaLoss: string;
}

export function quotaStatements(names: SqlNames): QuotaStatements {
  return {
    reserveIssue: `SELECT granted, denied, now_ms, retry_at, ${STATE_SELECT}
FROM ${names.fn('reserve_issue_v1')}($1, $2, $3, $4, $5, $6, $7, $8::text[], $9::bigint[])`,
    restoreQuota: `SELECT now_ms, ${STATE_SELECT} FROM ${names.fn('restore_quota_v1')}($1, $2, $3, $4::text[], $5::bigint[])`,
    quotaUsage: `SELECT now_ms, ${STATE_SELECT} FROM ${names.fn('quota_usage_v1')}($1, $2)`,
    clearQuotaLoss: `SELECT ${names.fn('clear_quota_loss_v1')}($1) AS cleared`,
  };
}
