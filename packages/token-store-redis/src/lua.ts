/**
 * The Lua scripts. Rules every script keeps:
 * - keys are reached only through KEYS (all share the namespace hash tag, so Cluster accepts them);
 * - every write sets its TTL in the same script;
 * - times come from Redis `TIME` (Redis 5+ replicates script effects, so `TIME` before writes is fine);
 * - token records are compact JSON `{v, e, i, f}` (value, expiresAt, issuedAt, fence).
 * Changing a script's behaviour means a new versioned name in scripts.ts, never an edit in place: a
 * fleet mid-deploy runs both versions at once.
 */

/** Redis `TIME` as epoch milliseconds in the local `now`. */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** Reads the fence of a stored token record, or nil. Never fails on a foreign or encrypted value. */
const TOKEN_FENCE = `
local function token_fence(raw)
  if not raw then return nil end
  local ok, rec = pcall(cjson.decode, raw)
  if ok and type(rec) == 'table' and type(rec.f) == 'number' then return rec.f end
  return nil
end
`;

/** Extends a key's TTL to at least `ms` (never shortens it). */
const KEEP_AT_LEAST = `
local function keep_at_least(key, ms)
  local pttl = redis.call('PTTL', key)
  if pttl ~= -2 and pttl < ms then redis.call('PEXPIRE', key, ms) end
end
`;

/**
 * KEYS: lease, fence, token. ARGV: owner id, ttlMs, fence retention ms.
 * Returns nil when held, else {fence, expiresAt}. A fence counter that was lost (it outlives every
 * lease and token, but eviction exists) restarts above the stored token's fence, so fences only grow.
 */
export const ACQUIRE_LEASE_LUA: string = `${TOKEN_FENCE}${KEEP_AT_LEAST}
if redis.call('EXISTS', KEYS[1]) == 1 then return false end
local ttl = tonumber(ARGV[2])
local fence = redis.call('INCR', KEYS[2])
local stored = token_fence(redis.call('GET', KEYS[3]))
if stored and stored >= fence then
  fence = stored + 1
  redis.call('SET', KEYS[2], string.format('%d', fence))
end
keep_at_least(KEYS[2], math.max(ttl, tonumber(ARGV[3])))
redis.call('SET', KEYS[1], ARGV[1], 'PX', ttl)
${NOW}
return {fence, now + ttl}
`;

/** KEYS: lease, fence. ARGV: owner id, ttlMs. Returns nil unless the owner still holds it, else expiresAt. */
export const EXTEND_LEASE_LUA: string = `${KEEP_AT_LEAST}
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return false end
local ttl = tonumber(ARGV[2])
redis.call('PEXPIRE', KEYS[1], ttl)
keep_at_least(KEYS[2], ttl)
${NOW}
return now + ttl
`;

/** KEYS: lease. ARGV: owner id. Returns 1 if released. */
export const RELEASE_LEASE_LUA = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1
`;

/** KEYS: lease, fence. Returns nil or {owner id, fence, expiresAt}. */
export const READ_LEASE_LUA: string = `
local id = redis.call('GET', KEYS[1])
if not id then return false end
local pttl = redis.call('PTTL', KEYS[1])
if pttl < 0 then return false end
local fence = tonumber(redis.call('GET', KEYS[2]) or '0')
${NOW}
return {id, fence, now + pttl}
`;

/**
 * KEYS: token, lease, fence, channel. ARGV: owner id, lease fence, record JSON, expiresAt (ms, Redis
 * clock), publish command. Writes only for the owner of the newest lease, never over a token of a newer
 * fence; the key lives until `expiresAt` on Redis's clock (the record's times are on the store's clock);
 * keeps the fence counter alive at least as long as the token; then publishes the fence.
 * Returns 1 if written, 0 if not, -1 if `expiresAt` is not in the future (nothing written).
 * (V1 took a TTL the writer measured on its own clock, which was off by that replica's clock skew.)
 */
export const WRITE_TOKEN_V2_LUA: string = `${TOKEN_FENCE}${KEEP_AT_LEAST}${NOW}
local ttl = math.ceil(tonumber(ARGV[4]) - now)
if ttl <= 0 then return -1 end
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
local fence = tonumber(ARGV[2])
if tonumber(redis.call('GET', KEYS[3]) or '-1') ~= fence then return 0 end
local stored = token_fence(redis.call('GET', KEYS[1]))
if stored and stored > fence then return 0 end
redis.call('SET', KEYS[1], ARGV[3], 'PX', string.format('%d', ttl))
keep_at_least(KEYS[3], ttl)
redis.call(ARGV[5], KEYS[4], ARGV[2])
return 1
`;

/** KEYS: token, channel. ARGV: token value, publish command. Compare-and-delete; returns 1 if deleted. */
export const DISCARD_TOKEN_LUA = `
local raw = redis.call('GET', KEYS[1])
if not raw then return 0 end
local ok, rec = pcall(cjson.decode, raw)
if not ok or type(rec) ~= 'table' or rec.v ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
redis.call(ARGV[2], KEYS[2], 'discarded')
return 1
`;

/**
 * The quota record's helpers (KEYS[1] quota ZSET of id → time, KEYS[2] the marker hash: `id` epoch,
 * `last`/`lastAt` the newest entry ever added, `lastKeep` when that entry would age out anyway).
 * See `QuotaRecordState` in auth-core for what they mean.
 */
const QUOTA_RECORD = `
local function lost_through(now)
  local m = redis.call('HMGET', KEYS[2], 'last', 'lastAt', 'lastKeep')
  if not m[1] or m[1] == '' or not m[2] or not m[3] then return nil end
  if now >= tonumber(m[3]) then return nil end
  if redis.call('ZSCORE', KEYS[1], m[1]) then return nil end
  return tonumber(m[2])
end
local function add_entry(id, at, now, retention, margin, new_epoch, marker_ttl, granted)
  redis.call('ZADD', KEYS[1], string.format('%d', at), id)
  local m = redis.call('HMGET', KEYS[2], 'id', 'last', 'lastAt')
  local keep = string.format('%d', at + retention)
  if not m[1] then
    redis.call('HSET', KEYS[2], 'id', new_epoch, 'last', id, 'lastAt', string.format('%d', at), 'lastKeep', keep)
  elseif granted or not m[2] or m[2] == '' or not m[3] or at > tonumber(m[3]) then
    redis.call('HSET', KEYS[2], 'last', id, 'lastAt', string.format('%d', at), 'lastKeep', keep)
  end
  local pttl = redis.call('PTTL', KEYS[2])
  if pttl < marker_ttl then redis.call('PEXPIRE', KEYS[2], marker_ttl) end
  pttl = redis.call('PTTL', KEYS[1])
  if pttl ~= -2 and pttl < retention + margin then redis.call('PEXPIRE', KEYS[1], retention + margin) end
end
local function readd(first, now, window, retention, margin, new_epoch, marker_ttl)
  for i = first, #ARGV, 2 do
    local at = math.floor(math.min(tonumber(ARGV[i + 1]), now))
    if at > now - window and not redis.call('ZSCORE', KEYS[1], ARGV[i]) then
      add_entry(ARGV[i], at, now, retention, margin, new_epoch, marker_ttl, false)
    end
  end
end
local function record_state(now, window)
  local entries = redis.call('ZRANGEBYSCORE', KEYS[1], string.format('(%d', now - window), '+inf', 'WITHSCORES')
  local epoch = redis.call('HGET', KEYS[2], 'id') or ''
  local lost = lost_through(now) or -1
  return epoch, lost, entries
end
`;

/**
 * KEYS: quota, marker, lease, fence. ARGV: reservation id, limit, windowMs, retention ms (>= windowMs),
 * TTL margin ms, lease id, lease fence, epoch for a new marker, marker TTL ms, then remembered entries
 * as id, time pairs.
 * Returns {granted 0/1, used, retryAt or -1, now, denied (0 none, 1 quota, 2 lost, 3 lease), epoch or
 * '', lostThrough or -1, then the window's entries as id, time pairs oldest first}.
 *
 * In order: refuse a lease that is not current (writing nothing), re-add remembered entries by id,
 * answer a repeated id, deny while a lost past is unvouched, then the sliding window. Entries are
 * pruned by the retention (at least 24 h), not by the caller's window, so a replica configured with a
 * shorter window never erases reservations a longer window still counts.
 */
export const RESERVE_ISSUE_V2_LUA: string = `${NOW}${QUOTA_RECORD}
local id = ARGV[1]
local limit = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local retention = tonumber(ARGV[4])
local margin = tonumber(ARGV[5])
local marker_ttl = tonumber(ARGV[9])
local from = string.format('(%d', now - window)
local function answer(granted, used, retry_at, denied)
  local epoch, lost, entries = record_state(now, window)
  local out = {granted, used, retry_at, now, denied, epoch, lost}
  for i = 1, #entries do out[#out + 1] = entries[i] end
  return out
end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - retention))
if redis.call('GET', KEYS[3]) ~= ARGV[6] or tonumber(redis.call('GET', KEYS[4]) or '-1') ~= tonumber(ARGV[7]) then
  return answer(0, redis.call('ZCOUNT', KEYS[1], from, '+inf'), -1, 3)
end
readd(10, now, window, retention, margin, ARGV[8], marker_ttl)
local used = redis.call('ZCOUNT', KEYS[1], from, '+inf')
local at = redis.call('ZSCORE', KEYS[1], id)
if at and tonumber(at) > now - window then return answer(1, used, -1, 0) end
local lost = lost_through(now)
if lost and lost > now - window then return answer(0, used, lost + window, 2) end
if used >= limit then
  local counted = redis.call('ZRANGEBYSCORE', KEYS[1], from, '+inf', 'WITHSCORES', 'LIMIT', used - limit, 1)
  return answer(0, used, tonumber(counted[2]) + window, 1)
end
add_entry(id, now, now, retention, margin, ARGV[8], marker_ttl, true)
return answer(1, used + 1, -1, 0)
`;

/**
 * KEYS: quota, marker. ARGV: windowMs, retention ms, TTL margin ms, epoch for a new marker, marker TTL
 * ms, then remembered entries as id, time pairs. Re-adds the missing ones (no lease needed).
 * Returns {now, epoch or '', lostThrough or -1, then the window's entries as id, time pairs}.
 */
export const RESTORE_QUOTA_LUA: string = `${NOW}${QUOTA_RECORD}
local window = tonumber(ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', string.format('%d', now - tonumber(ARGV[2])))
readd(6, now, window, tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], tonumber(ARGV[5]))
local epoch, lost, entries = record_state(now, window)
local out = {now, epoch, lost}
for i = 1, #entries do out[#out + 1] = entries[i] end
return out
`;

/**
 * KEYS: quota, marker. ARGV: windowMs. Read only.
 * Returns {now, epoch or '', lostThrough or -1, then the window's entries as id, time pairs oldest first}.
 */
export const QUOTA_USAGE_V2_LUA: string = `${NOW}${QUOTA_RECORD}
local epoch, lost, entries = record_state(now, tonumber(ARGV[1]))
local out = {now, epoch, lost}
for i = 1, #entries do out[#out + 1] = entries[i] end
return out
`;

/** KEYS: quota, marker. Forgets a lost past (the marker stops vouching for its newest entry). Returns 1 if there was one. */
export const CLEAR_QUOTA_LOSS_LUA: string = `${NOW}${QUOTA_RECORD}
if not lost_through(now) then return 0 end
redis.call('HDEL', KEYS[2], 'last')
return 1
`;
