import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import { recordJwtAttempts } from './attempts.ts';
import type { ApiTarget, Fleet } from './fleet.ts';
import { type Load, startLoad } from './load.ts';
import { countBy, type LatencySummary, summarizeLatency } from './stats.ts';
import { type EventKind, type Mark, summarizeWindow, type TimelineEntry } from './timeline.ts';

export type { EventKind, TimelineEntry } from './timeline.ts';

/**
 * The script both fleets go through, as fractions of the requests. A compressed day of a service:
 * replicas start cold, one of them crash-loops, the token endpoint has a 502 storm, and the server
 * revokes the token (a password rotation, a security sweep) while traffic keeps arriving.
 */
export const SCENARIO = {
  /** Requests arrive at this steady rate, whatever the fleet does. */
  ratePerSecond: 150,
  /** The mock API answers after this delay, like a real API over the internet. */
  apiLatencyMs: 100,
  path: 'some/endpoint/',
  /** Replica r2 crash-loops: it dies at these points and a cold replacement starts each time. */
  crashesAt: [0.2, 0.3, 0.4],
  /** `502-html` faults queued for the next `POST /jwt/` requests, whoever makes them. */
  stormAt: 0.5,
  stormFaults: 2,
  /** The server revokes every token of the API user. */
  revokeAt: 0.55,
} as const;

/** The API's own rule, which the mock enforces: 30 issues per user per 24 h; the 31st request bans. */
export const API_DAILY_LIMIT = 30;

/** Everything one run of the scenario measured. */
export interface ScenarioResult {
  fleet: string;
  replicas: number;
  durationMs: number;
  requests: {
    total: number;
    served: number;
    failed: number;
    /** Requests a crash lost in flight, re-sent to another replica (not failures). */
    rerouted: number;
    failures: Record<string, number>;
  };
  latencyMs: LatencySummary;
  postJwt: { total: number; byStatus: Record<string, number> };
  /** Tokens the API issued. */
  issued: number;
  /** The fleet's own budget (provider status): attempts reserved in the window, and its limit. */
  quota: { used: number; limit: number } | null;
  /** The API's side: issues counted in its 24 h window, its limit, and whether it banned the user. */
  api: { used: number; limit: number; banned: boolean };
  /** When the API banned the user: the request count and time at that moment. */
  bannedAt: { request: number; atMs: number } | null;
  timeline: TimelineEntry[];
  /** What the chart draws (`--svg`): milliseconds since the run started of each event of a kind. */
  series: {
    /** Every `POST /jwt/` the API received, as it arrived. */
    postJwtAtMs: number[];
    /** Every request that failed, when its answer came. */
    failedAtMs: number[];
  };
}

/** Live numbers for the progress line. */
export interface ProgressSnapshot {
  total: number;
  answered: number;
  failed: number;
  postJwt: number;
  issued: number;
  quota: { used: number; limit: number } | null;
  banned: boolean;
}

export interface ScenarioOptions {
  /** Builds the fleet under test against the mock API (the mock and its API user are made per run). */
  makeFleet: (target: ApiTarget) => Promise<Fleet> | Fleet;
  replicas: number;
  requests: number;
  onProgress?: (snapshot: ProgressSnapshot) => void;
}

/**
 * Runs the scenario against a fresh mock API with the real rules (30 issues per 24 h, then a ban) and a
 * fresh random API user, so nothing carries over between runs or from an earlier run on the same Redis.
 */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioResult> {
  const target = {
    username: `demo-${randomBytes(4).toString('hex')}`,
    password: randomBytes(18).toString('base64url'),
  };
  const mock = await startMockServer({ users: [target], latencyMs: SCENARIO.apiLatencyMs });
  try {
    const fleet = await options.makeFleet({ ...target, baseUrl: mock.url });
    try {
      return await drive(mock, target.username, fleet, options);
    } finally {
      await fleet.close();
    }
  } finally {
    await mock.close();
  }
}

async function drive(
  mock: MockServer,
  username: string,
  fleet: Fleet,
  options: ScenarioOptions,
): Promise<ScenarioResult> {
  const t0 = performance.now();
  const postJwtAtMs = recordJwtAttempts(mock, t0);
  const marks: Mark[] = [];
  const mark: MarkFn = (kind, what, atRequest, crash) => {
    const entry = { kind, what, at: performance.now(), atRequest, stats: mock.control.stats(), crash };
    marks.push(entry);
    return entry;
  };

  const start = mark('start', `${options.replicas} replicas start cold`, 0);
  const names = Array.from({ length: options.replicas }, (_, i) => `r${i + 1}`);
  const started = await Promise.allSettled(names.map((name) => fleet.start(name)));
  const replicas = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  start.notStarted = started.flatMap((outcome, i) =>
    outcome.status === 'rejected' ? [{ replica: names[i]!, error: shortError(outcome.reason) }] : [],
  );
  if (replicas.length === 0) throw new Error(`no replica could start: ${start.notStarted[0]?.error}`);

  // The script, keyed by the request number before which each event happens.
  const at = (fraction: number): number => Math.max(2, Math.round(fraction * options.requests));
  const script = new Map<number, () => Promise<void> | void>([
    ...SCENARIO.crashesAt.map(
      (fraction, i) => [at(fraction), () => crashAndReplace(load, fleet, mark, names[1]!, i + 1)] as const,
    ),
    [
      at(SCENARIO.stormAt),
      () => {
        mock.control.queueFaults(...Array.from({ length: SCENARIO.stormFaults }, () => '502-html' as const));
        mark('storm', `502 storm on POST /jwt/ begins (${SCENARIO.stormFaults} × 502 queued)`, load.arrived);
      },
    ],
    [
      at(SCENARIO.revokeAt),
      () => {
        mark('revocation', 'the server revokes every token of the API user', load.arrived);
        mock.control.revoke({ username });
      },
    ],
  ]);

  const load = startLoad(replicas, {
    total: options.requests,
    ratePerSecond: SCENARIO.ratePerSecond,
    path: SCENARIO.path,
    beforeArrival: (index) => script.get(index)?.(),
  });
  let bannedAt: ScenarioResult['bannedAt'] = null;
  mock.control
    .waitFor((stats) => stats.bans.total > 0, 3_600_000)
    .then(
      () => {
        bannedAt = { request: load.arrived, atMs: Math.round(performance.now() - t0) };
      },
      () => {}, // the mock closed first: never banned
    );
  const stopProgress = reportProgress(load, mock, fleet, options);
  await load.done;
  stopProgress();

  const end = { at: performance.now(), stats: mock.control.stats() };
  const records = load.records;
  const failed = records.filter((r) => !r.result.ok);
  const user = mock.control.getUser(username);
  return {
    fleet: fleet.description,
    replicas: options.replicas,
    durationMs: Math.round(end.at - t0),
    requests: {
      total: records.length,
      served: records.length - failed.length,
      failed: failed.length,
      rerouted: records.filter((r) => r.rerouted > 0).length,
      failures: countBy(failed.map((r) => r.result.error ?? 'unknown')),
    },
    latencyMs: summarizeLatency(records.filter((r) => r.result.ok).map((r) => r.result.latencyMs)),
    postJwt: { total: end.stats.jwtAttempts.total, byStatus: end.stats.jwtAttempts.byStatus },
    issued: end.stats.issues.total,
    quota: await fleet.quota(),
    api: { used: user?.quotaUsed ?? 0, limit: API_DAILY_LIMIT, banned: user?.status === 'banned' },
    bannedAt,
    timeline: marks.map((m, i) => summarizeWindow(m, marks[i + 1] ?? end, t0, records, fleet)),
    series: {
      postJwtAtMs: [...postJwtAtMs],
      failedAtMs: failed.map((r) => Math.round(r.answeredAt - t0)).sort((a, b) => a - b),
    },
  };
}

type MarkFn = (kind: EventKind, what: string, atRequest: number, crash?: Mark['crash']) => Mark;

/** One turn of a crash loop on replica `slot`: it dies abruptly and the orchestrator starts a cold replacement. */
async function crashAndReplace(
  load: Load,
  fleet: Fleet,
  mark: MarkFn,
  slot: string,
  restart: number,
): Promise<void> {
  // Crash a fleet that is up. (A replica killed while it is issuing the token is another story: its
  // lease must expire before another replica may try, 30 s by default.)
  await Promise.race([load.served(1), sleep(10_000, undefined, { ref: false })]);
  const victim = load.replicas.find((replica) => replica.name.split('#')[0] === slot);
  const replacement = `${slot}#${restart + 1}`;
  const what = victim
    ? `${victim.name} crashes (crash loop, restart ${restart}); ${replacement} starts cold`
    : `${slot} is down; the orchestrator starts ${replacement} (restart ${restart})`;
  const entry = mark('crash', what, load.arrived, {
    died: victim?.name ?? null,
    replacement,
    started: false,
  });
  if (victim !== undefined) {
    load.remove(victim);
    victim.crash();
  }
  try {
    load.add(await fleet.start(replacement));
    entry.crash = { ...entry.crash!, started: true };
  } catch (error) {
    entry.crash = { ...entry.crash!, error: shortError(error) };
  }
}

/** Why a replica did not start, without secrets: the token endpoint's status, or the first line. */
function shortError(error: unknown): string {
  const status = (error as { response?: { status?: unknown } }).response?.status;
  if (typeof status === 'number') return `POST /jwt/ answered ${status}`;
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}

/** Calls `onProgress` every 100 ms while the load runs; returns the function that stops it. */
function reportProgress(load: Load, mock: MockServer, fleet: Fleet, options: ScenarioOptions): () => void {
  const { onProgress } = options;
  if (onProgress === undefined) return () => {};
  let quota: ProgressSnapshot['quota'] = null;
  let asking = false;
  const tick = (): void => {
    if (!asking) {
      asking = true;
      fleet.quota().then(
        (value) => {
          quota = value;
          asking = false;
        },
        () => {
          asking = false;
        },
      );
    }
    const stats = mock.control.stats();
    onProgress({
      total: options.requests,
      answered: load.records.length,
      failed: load.records.filter((r) => !r.result.ok).length,
      postJwt: stats.jwtAttempts.total,
      issued: stats.issues.total,
      quota,
      banned: stats.bans.total > 0,
    });
  };
  const timer = setInterval(tick, 100);
  tick();
  return () => {
    clearInterval(timer);
    tick();
  };
}
