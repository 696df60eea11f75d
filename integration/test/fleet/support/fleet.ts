import { randomUUID } from 'node:crypto';
import type { AuthStatus } from '@connexease-kit/auth-core';
import type { MockServer } from '@connexease-kit/mock-server';
import { expect } from 'vitest';
import type { ReplicaConfig, RequestTally } from './protocol.ts';
import { ReplicaProcess } from './replica-process.ts';

/** A fresh API user on the mock: a namespace no other test or run has used. */
export interface FleetUser {
  username: string;
  password: string;
}

/** Adds a user with a random name and password to the mock (status `active` unless given). */
export function freshUser(mock: MockServer, status: 'active' | 'banned' | 'inactive' = 'active'): FleetUser {
  const user = { username: `fleet-${randomUUID()}`, password: `pw-${randomUUID()}` };
  mock.control.upsertUser({ ...user, status });
  return user;
}

/** A set of replica processes of one service. */
export interface Fleet {
  readonly replicas: readonly ReplicaProcess[];
  /** The namespace they share (checked to be the same on every replica). */
  readonly namespace: string;
  /** Runs `task` on every replica at once. */
  all<T>(task: (replica: ReplicaProcess, index: number) => Promise<T>): Promise<T[]>;
  /** Closes every replica that still runs. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts one replica per config, all at once, and resolves once every one has warmed up and said
 * `ready` (Redis connected, namespace derived). Nothing has been requested yet: the test releases
 * them together with `fleet.all(...)`.
 */
export async function startFleet(configs: readonly ReplicaConfig[]): Promise<Fleet> {
  const replicas = configs.map((config) => new ReplicaProcess(config));
  const close = async (): Promise<void> => {
    await Promise.all(replicas.map((replica) => replica.close()));
  };
  try {
    await Promise.all(replicas.map((replica) => replica.ready));
  } catch (error) {
    await close();
    throw error;
  }
  const namespaces = new Set(replicas.map((replica) => replica.namespace));
  if (namespaces.size !== 1) throw new Error(`replicas derived ${namespaces.size} namespaces, expected 1`);
  return {
    replicas,
    namespace: replicas[0]?.namespace ?? '',
    all: (task) => Promise.all(replicas.map(task)),
    close,
  };
}

/** `count` configs that differ only by name (and whatever `vary` changes). */
export function replicaConfigs(
  count: number,
  base: Omit<ReplicaConfig, 'name'>,
  vary: (index: number) => Partial<ReplicaConfig> = () => ({}),
): ReplicaConfig[] {
  return Array.from({ length: count }, (_, index) => ({ ...base, name: `replica-${index}`, ...vary(index) }));
}

/** Adds up the tallies of several replicas (failures by code summed). */
export function sumTallies(tallies: readonly RequestTally[]): RequestTally {
  const total: RequestTally = {
    ok: 0,
    failed: 0,
    failures: {},
    failuresWithRetryAt: {},
    firstOkAt: null,
    lastOkAt: null,
  };
  for (const tally of tallies) {
    total.ok += tally.ok;
    total.failed += tally.failed;
    for (const [code, n] of Object.entries(tally.failures))
      total.failures[code] = (total.failures[code] ?? 0) + n;
    for (const [code, n] of Object.entries(tally.failuresWithRetryAt)) {
      total.failuresWithRetryAt[code] = (total.failuresWithRetryAt[code] ?? 0) + n;
    }
    if (tally.firstOkAt !== null) total.firstOkAt = Math.min(total.firstOkAt ?? Infinity, tally.firstOkAt);
    if (tally.lastOkAt !== null) total.lastOkAt = Math.max(total.lastOkAt ?? -Infinity, tally.lastOkAt);
  }
  return total;
}

/** The most issues `times` holds in any window of `windowMs` (an issue at t counts in (t - windowMs, t]). */
export function maxInAnyWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

/**
 * Says where `times` (issue times, oldest first) first holds more than `limit` issues within
 * `windowMs`, for assertion messages; an empty string when it never does.
 */
export function describeWindowOverrun(
  times: readonly number[],
  { limit, windowMs }: { limit: number; windowMs: number },
): string {
  const sorted = [...times].sort((a, b) => a - b);
  for (let index = 0; index + limit < sorted.length; index++) {
    const gap = sorted[index + limit]! - sorted[index]!;
    if (gap < windowMs) {
      return `issues #${index + 1} and #${index + limit + 1} reached the server ${gap} ms apart (window ${windowMs} ms)`;
    }
  }
  return '';
}

/**
 * Explains a ban by the API from the fleet's granted reservations (replica-side times of the store's
 * answers) and the API's issue times, assuming the k-th reservation produced the k-th issue: finds a
 * reservation the store granted a full window after an earlier one, yet less than a window after the
 * API counted that earlier one. An empty string when there is none.
 */
export function describeBan(
  reservedAt: readonly number[],
  issueTimes: readonly number[],
  { limit, windowMs }: { limit: number; windowMs: number },
): string {
  const reserved = [...reservedAt].sort((a, b) => a - b);
  const issued = [...issueTimes].sort((a, b) => a - b);
  for (let index = 0; index + limit < reserved.length && index < issued.length; index++) {
    const late = reserved[index + limit]!;
    if (late - issued[index]! >= windowMs) continue;
    return (
      `the store granted reservation #${index + limit + 1} ${Math.round(late - reserved[index]!)} ms after ` +
      `reservation #${index + 1} (window ${windowMs} ms), but the API had counted issue #${index + 1} ` +
      `${Math.round(issued[index]! - reserved[index]!)} ms after that reservation, so its window held ${limit + 1}`
    );
  }
  return '';
}

/** Granted `reserveIssue` calls of traced replicas, as the replica-side time of the store's answer. */
export function grantedReservations(replicas: readonly ReplicaProcess[]): number[] {
  return replicas.flatMap((replica) =>
    replica.storeTraces
      .filter((trace) => trace.op === 'reserveIssue' && trace.granted)
      .map((trace) => trace.at),
  );
}

/**
 * Cold start's guarantee, once every replica has sent `requestsEach` requests at once: every request
 * served, one `POST /jwt/` fleet-wide, one replica issued and every other one reused its token from the
 * store. The lease may change hands more than once: a replica that read "no token" just before the
 * winner wrote it can win the lease once the winner released it, re-read the store and adopt the token
 * (guarantee 2), so lease grants are not counted. Returns each replica's status.
 */
export async function expectColdStartServed(
  fleet: Fleet,
  mock: MockServer,
  user: FleetUser,
  tallies: readonly RequestTally[],
  requestsEach: number,
): Promise<AuthStatus[]> {
  const count = fleet.replicas.length;
  expect(sumTallies(tallies).failures, 'no request fails').toEqual({});
  expect(
    tallies.map((tally) => tally.ok),
    'every request is served',
  ).toEqual(Array(count).fill(requestsEach));
  expect(userStats(mock, user.username), 'one POST /jwt/ fleet-wide').toMatchObject({
    attempts: 1,
    issues: 1,
  });
  const issuers = fleet.replicas.filter((replica) => replica.eventsOf('issued').length > 0);
  expect(
    issuers.map((replica) => replica.name),
    'exactly one replica issues a token',
  ).toHaveLength(1);
  expect(grantedReservations(fleet.replicas), 'exactly one reservation of the quota is granted').toHaveLength(
    1,
  );
  for (const replica of fleet.replicas) {
    if (replica === issuers[0]) continue;
    expect(
      replica.eventsOf('reused-from-store'),
      `${replica.name} reuses the stored token once`,
    ).toHaveLength(1);
  }
  const statuses = await fleet.all((replica) => replica.status());
  expect(
    statuses.map((status) => status.quota?.used),
    'every replica counts the one reservation',
  ).toEqual(Array(count).fill(1));
  return statuses;
}

/** The mock's counters for one user: POST /jwt/ requests that named it, and tokens issued to it. */
export function userStats(
  mock: MockServer,
  username: string,
): { attempts: number; issues: number; issueTimes: number[] } {
  const stats = mock.control.stats();
  return {
    attempts: stats.jwtAttempts.byUser[username] ?? 0,
    issues: stats.issues.byUser[username] ?? 0,
    issueTimes: stats.issueTimes[username] ?? [],
  };
}

/** Waits (up to a minute) until the mock has answered `more` further API calls with 200. */
export async function moreApiCalls(mock: MockServer, more: number): Promise<void> {
  const start = mock.control.stats().apiCalls.byStatus['200'] ?? 0;
  await mock.control.waitFor((stats) => (stats.apiCalls.byStatus['200'] ?? 0) >= start + more, 60_000);
}
