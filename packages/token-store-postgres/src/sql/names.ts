/**
 * The names of everything the store creates, qualified with the schema. Schema and prefix are checked
 * to be plain lower-case identifiers (see validate.ts), so they are safe to splice into SQL unquoted.
 */
export interface SqlNames {
  schema: string;
  prefix: string;
  /** One row: what installed the tables, the schema version and the quota table's marker. */
  meta: string;
  tokens: string;
  leases: string;
  quota: string;
  /** Per namespace: the quota record's epoch and its newest entry, to tell an intact record from a lost one. */
  quotaMarkers: string;
  blocks: string;
  /** The sequence every lease's fence is drawn from. */
  fences: string;
  /** `LISTEN`/`NOTIFY` channel (a string, at most 63 bytes): `<schema>.<prefix>changed`. */
  channel: string;
  /** Prefixes every advisory-lock key, so two stores in one database never share a lock by name. */
  lockScope: string;
  /** A function name in the schema, e.g. `fn('reserve_issue_v1')`. */
  fn(name: string): string;
}

export function sqlNames(schema: string, prefix: string): SqlNames {
  const qualified = (name: string): string => `${schema}.${prefix}${name}`;
  return {
    schema,
    prefix,
    meta: qualified('meta'),
    tokens: qualified('tokens'),
    leases: qualified('leases'),
    quota: qualified('quota'),
    quotaMarkers: qualified('quota_markers'),
    blocks: qualified('blocks'),
    fences: qualified('fences'),
    channel: `${schema}.${prefix}changed`,
    lockScope: `${schema}.${prefix}`,
    fn: qualified,
  };
}

/** The store's clock in a statement: epoch milliseconds from `clock_timestamp()` (not `now()`, the transaction's start). */
export const NOW_MS = `floor(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/** The advisory-lock key of a namespace (a 64-bit hash; a collision only makes two namespaces wait for each other). */
export function lockKey(names: SqlNames, nsExpression: string): string {
  return `hashtextextended('${names.lockScope}' || ${nsExpression}, 0)`;
}

/** How messages name the store's tables: `connexease_* in schema public`. */
export function describeTables(names: SqlNames): string {
  return `${names.prefix}* in schema ${names.schema}`;
}
