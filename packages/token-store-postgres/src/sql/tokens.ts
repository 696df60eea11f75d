import { lockKey, NOW_MS, type SqlNames } from './names.ts';

/**
 * The token and lease functions. Each write takes the namespace's transaction-scoped advisory lock
 * first, so every write of one namespace is serialised, and sends its NOTIFY inside the writing
 * transaction (PostgreSQL delivers it at commit, never for a write that rolled back).
 */

/**
 * `acquire_lease_v1(ns, owner, ttl_ms)` → no row when held, else `(lease_fence, lease_expires_at)`.
 * Fences come from one sequence (never rolled back, untouched by a TRUNCATE), and are kept above the
 * namespace's stored token and last lease, so they only grow even after a sequence was reset.
 */
function acquireLeaseFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('acquire_lease_v1')}(p_ns text, p_owner text, p_ttl bigint)
RETURNS TABLE (lease_fence bigint, lease_expires_at bigint)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint;
  v_fence bigint;
  v_floor bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(${lockKey(names, 'p_ns')});
  v_now := ${NOW_MS};
  IF EXISTS (SELECT 1 FROM ${names.leases} l WHERE l.ns = p_ns AND l.expires_at > v_now) THEN RETURN; END IF;
  SELECT greatest(
    (SELECT t.fence FROM ${names.tokens} t WHERE t.ns = p_ns),
    (SELECT l.fence FROM ${names.leases} l WHERE l.ns = p_ns)) INTO v_floor;
  v_fence := greatest(nextval('${names.fences}'), coalesce(v_floor, 0) + 1);
  INSERT INTO ${names.leases} (ns, owner_id, fence, expires_at) VALUES (p_ns, p_owner, v_fence, v_now + p_ttl)
  ON CONFLICT (ns) DO UPDATE
  SET owner_id = excluded.owner_id, fence = excluded.fence, expires_at = excluded.expires_at;
  RETURN QUERY SELECT v_fence, v_now + p_ttl;
END
$fn$`;
}

/**
 * `write_token_v1(ns, owner, fence, value, issued_at, expires_at, unauthorized_at, unauthorized_interval_ms)`
 * → 1 written, 0 refused (not the current lease, or a newer fence's token is stored), -1 when
 * `expires_at` is not in the future. The last two (the fleet's last 401-driven refresh) may be NULL.
 */
function writeTokenFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('write_token_v1')}(
  p_ns text, p_owner text, p_fence bigint, p_value text, p_issued_at double precision, p_expires_at double precision,
  p_unauthorized_at double precision, p_unauthorized_interval_ms double precision)
RETURNS integer LANGUAGE plpgsql AS $fn$
DECLARE
  v_now bigint;
BEGIN
  PERFORM pg_advisory_xact_lock(${lockKey(names, 'p_ns')});
  v_now := ${NOW_MS};
  IF p_expires_at <= v_now THEN RETURN -1; END IF;
  IF NOT EXISTS (
    SELECT 1 FROM ${names.leases} l
    WHERE l.ns = p_ns AND l.owner_id = p_owner AND l.fence = p_fence AND l.expires_at > v_now
  ) THEN RETURN 0; END IF;
  IF EXISTS (
    SELECT 1 FROM ${names.tokens} t WHERE t.ns = p_ns AND t.fence > p_fence AND t.expires_at > v_now
  ) THEN RETURN 0; END IF;
  INSERT INTO ${names.tokens} (ns, value, issued_at, expires_at, fence, unauthorized_at, unauthorized_interval_ms)
  VALUES (p_ns, p_value, p_issued_at, p_expires_at, p_fence, p_unauthorized_at, p_unauthorized_interval_ms)
  ON CONFLICT (ns) DO UPDATE
  SET value = excluded.value, issued_at = excluded.issued_at, expires_at = excluded.expires_at,
    fence = excluded.fence, unauthorized_at = excluded.unauthorized_at,
    unauthorized_interval_ms = excluded.unauthorized_interval_ms;
  PERFORM pg_notify('${names.channel}', p_ns);
  RETURN 1;
END
$fn$`;
}

/** `discard_token_v1(ns, value)` → whether the current token had that value and was deleted. */
function discardTokenFunction(names: SqlNames): string {
  return `CREATE OR REPLACE FUNCTION ${names.fn('discard_token_v1')}(p_ns text, p_value text)
RETURNS boolean LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM pg_advisory_xact_lock(${lockKey(names, 'p_ns')});
  DELETE FROM ${names.tokens} t WHERE t.ns = p_ns AND t.value = p_value AND t.expires_at > ${NOW_MS};
  IF NOT FOUND THEN RETURN false; END IF;
  PERFORM pg_notify('${names.channel}', p_ns);
  RETURN true;
END
$fn$`;
}

export function tokenFunctions(names: SqlNames): string[] {
  return [acquireLeaseFunction(names), writeTokenFunction(names), discardTokenFunction(names)];
}
