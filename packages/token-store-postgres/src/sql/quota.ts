import { lockKey, NOW_MS, type SqlNames } from './names.ts';
import { KIT_MARKER, NEVER, SCHEMA_VERSION } from './schema.ts';

/**
 * The quota's SQL, all in one place: the reservation (atomic under the namespace's advisory lock,
 * idempotent by id), the usage read, and the rule that an unknown past is spent.
 *
 * The quota table holds one marker row (namespace `''`, id = the epoch in the meta row). When it is
 * missing, the table was truncated, emptied or dropped and re-created: what it held is unknown, so
 * `quota_lost_at` is set and every namespace counts as spent ({@link UNKNOWN_QUOTA_ASSUMED_USED} more
 * entries) until a window has passed since then. The same holds when the meta row itself is gone.
 */

/** While the quota is unknown it counts as this many more reservations: the API's daily cap, above any valid limit. */
export const UNKNOWN_QUOTA_ASSUMED_USED = 30;

/**
 * `quota_lost_at_v1(now, repair)`: when the quota was found lost (epoch ms), or NULL if it is intact.
 * With `repair`, a loss found now is recorded (marker re-written, `quota_lost_at` set); without, it is
 * only reported (read-only callers).
 */
function quotaLostAtFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('quota_lost_at_v1')}(p_now bigint, p_repair boolean)
RETURNS bigint LANGUAGE plpgsql AS $fn$
DECLARE
  v_epoch text;
  v_lost bigint;
BEGIN
  SELECT m.quota_epoch, m.quota_lost_at INTO v_epoch, v_lost FROM ${names.meta} m WHERE m.singleton;
  IF v_epoch IS NULL THEN
    IF NOT p_repair THEN RETURN p_now; END IF;
    INSERT INTO ${names.meta} (singleton, kit, schema_version, quota_epoch, quota_lost_at, created_at)
    VALUES (true, '${KIT_MARKER}', ${SCHEMA_VERSION}, md5(random()::text || clock_timestamp()::text), p_now, p_now)
    ON CONFLICT (singleton) DO NOTHING;
    SELECT m.quota_epoch, m.quota_lost_at INTO v_epoch, v_lost FROM ${names.meta} m WHERE m.singleton;
    INSERT INTO ${names.quota} (ns, id, reserved_at, expires_at) VALUES ('', v_epoch, p_now, ${NEVER})
    ON CONFLICT (ns, id) DO NOTHING;
    RETURN coalesce(v_lost, p_now);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM ${names.quota} q WHERE q.ns = '' AND q.id = v_epoch) THEN
    IF NOT p_repair THEN RETURN p_now; END IF;
    INSERT INTO ${names.quota} (ns, id, reserved_at, expires_at) VALUES ('', v_epoch, p_now, ${NEVER})
    ON CONFLICT (ns, id) DO NOTHING;
    UPDATE ${names.meta} m SET quota_lost_at = p_now WHERE m.singleton;
    RETURN p_now;
  END IF;
  RETURN v_lost;
END
$fn$`;
}

/**
 * `reserve_issue_v1(ns, id, limit, window_ms, retention_ms)` → one row `(granted, used, retry_at, now_ms)`.
 * Entries are pruned by the retention (at least 24 h), not by the caller's window, so a replica with a
 * shorter window never erases entries a longer window still counts. Entries "from the future" (the
 * clock stepped back) count.
 */
function reserveIssueFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('reserve_issue_v1')}(
  p_ns text, p_id text, p_limit integer, p_window bigint, p_retention bigint)
RETURNS TABLE (granted boolean, used integer, retry_at bigint, now_ms bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint;
  v_lost bigint;
  v_counted integer;
  v_assumed integer := 0;
  v_at bigint;
  v_unknown_until bigint;
  v_age_out bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(${lockKey(names, 'p_ns')});
  v_now := ${NOW_MS};
  v_lost := ${names.fn('quota_lost_at_v1')}(v_now, true);
  IF v_lost IS NOT NULL AND v_lost + p_window > v_now THEN
    v_assumed := ${UNKNOWN_QUOTA_ASSUMED_USED};
    v_unknown_until := v_lost + p_window;
  END IF;
  DELETE FROM ${names.quota} q WHERE q.ns = p_ns AND q.reserved_at <= v_now - p_retention;
  SELECT count(*)::integer INTO v_counted FROM ${names.quota} q
  WHERE q.ns = p_ns AND q.reserved_at > v_now - p_window;
  SELECT q.reserved_at INTO v_at FROM ${names.quota} q WHERE q.ns = p_ns AND q.id = p_id;
  IF v_at IS NOT NULL AND v_at > v_now - p_window THEN
    RETURN QUERY SELECT true, v_counted + v_assumed, NULL::bigint, v_now;
    RETURN;
  END IF;
  IF v_unknown_until IS NULL AND v_counted < p_limit THEN
    INSERT INTO ${names.quota} (ns, id, reserved_at, expires_at) VALUES (p_ns, p_id, v_now, v_now + p_retention)
    ON CONFLICT (ns, id) DO UPDATE SET reserved_at = excluded.reserved_at, expires_at = excluded.expires_at;
    RETURN QUERY SELECT true, v_counted + 1, NULL::bigint, v_now;
    RETURN;
  END IF;
  -- Denied: retry when enough entries have aged out for one more to fit, and the unknown past is over.
  IF v_counted >= p_limit THEN
    SELECT q.reserved_at + p_window INTO v_age_out FROM ${names.quota} q
    WHERE q.ns = p_ns AND q.reserved_at > v_now - p_window
    ORDER BY q.reserved_at OFFSET v_counted - p_limit LIMIT 1;
  END IF;
  RETURN QUERY SELECT false, v_counted + v_assumed, greatest(v_unknown_until, v_age_out), v_now;
END
$fn$`;
}

/** `quota_usage_v1(ns, window_ms)` → one row `(now_ms, entries bigint[] oldest first, lost_at)`; reads only. */
function quotaUsageFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('quota_usage_v1')}(p_ns text, p_window bigint)
RETURNS TABLE (now_ms bigint, entries bigint[], lost_at bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint;
  v_lost bigint;
BEGIN
  v_now := ${NOW_MS};
  v_lost := ${names.fn('quota_lost_at_v1')}(v_now, false);
  IF v_lost IS NOT NULL AND v_lost + p_window <= v_now THEN v_lost := NULL; END IF;
  RETURN QUERY
  SELECT v_now, coalesce(array_agg(q.reserved_at ORDER BY q.reserved_at), '{}'::bigint[]), v_lost
  FROM ${names.quota} q WHERE q.ns = p_ns AND q.reserved_at > v_now - p_window;
END
$fn$`;
}

export function quotaFunctions(names: SqlNames): string[] {
  return [quotaLostAtFunction(names), reserveIssueFunction(names), quotaUsageFunction(names)];
}

/** Parameters: ns, id, limit, window ms, retention ms. */
export function reserveIssueQuery(names: SqlNames): string {
  return `SELECT granted, used, retry_at, now_ms FROM ${names.fn('reserve_issue_v1')}($1, $2, $3, $4, $5)`;
}

/** Parameters: ns, window ms. */
export function quotaUsageQuery(names: SqlNames): string {
  return `SELECT now_ms, entries, lost_at FROM ${names.fn('quota_usage_v1')}($1, $2)`;
}
