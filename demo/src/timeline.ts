import type { MockStats } from '@connexease-kit/mock-server';
import type { Fleet, FleetEvent } from './fleet.ts';
import type { RequestRecord } from './load.ts';

export type EventKind = 'start' | 'crash' | 'storm' | 'revocation';

/** A scripted event as it happened: when, and the mock's counters at that moment. */
export interface Mark {
  kind: EventKind;
  what: string;
  /** `performance.now()`. */
  at: number;
  atRequest: number;
  stats: MockStats;
  crash?: TimelineEntry['crash'];
  notStarted?: TimelineEntry['notStarted'];
}

/** What one scripted event led to, from that moment until the next event (or the end of the run). */
export interface TimelineEntry {
  kind: EventKind;
  what: string;
  /** Milliseconds since the run started. */
  atMs: number;
  /** Requests that had arrived when it happened. */
  atRequest: number;
  postJwt: { total: number; byStatus: Record<string, number> };
  /** Tokens the API issued (successful `POST /jwt/`). */
  issued: number;
  /** Requests answered in the window, and how many of them failed. */
  answered: number;
  failed: number;
  /** What the token providers reported in the window; null for the naive fleet, which has none. */
  provider: {
    issuedBy: string[];
    failedAttempts: number;
    reusedBy: string[];
    maxWaitMs: number;
    /** From the event to the first new token. */
    firstIssueAfterMs: number | null;
  } | null;
  /** For a crash: the replica that died and its replacement (or why none came up). */
  crash?: {
    died: string | null;
    replacement: string;
    started: boolean;
    error?: string;
    /**
     * How the replacement got its first token, whenever that was: `reused` from the shared store or
     * `issued` by itself; null without a token provider (naive) or if it served nothing before dying.
     */
    firstToken?: 'reused' | 'issued' | null;
  };
  /** For the start: replicas that could not start (the naive client logs in at boot, and may be banned). */
  notStarted?: { replica: string; error: string }[];
}

/** What happened between one event and the next. */
export function summarizeWindow(
  mark: Mark,
  next: { at: number; stats: MockStats },
  t0: number,
  records: readonly RequestRecord[],
  fleet: Fleet,
): TimelineEntry {
  const answered = records.filter((r) => r.answeredAt >= mark.at && r.answeredAt < next.at);
  const byStatus: Record<string, number> = {};
  for (const [status, count] of Object.entries(next.stats.jwtAttempts.byStatus)) {
    const delta = count - (mark.stats.jwtAttempts.byStatus[status] ?? 0);
    if (delta > 0) byStatus[status] = delta;
  }
  return {
    kind: mark.kind,
    what: mark.what,
    atMs: Math.round(mark.at - t0),
    atRequest: mark.atRequest,
    postJwt: { total: next.stats.jwtAttempts.total - mark.stats.jwtAttempts.total, byStatus },
    issued: next.stats.issues.total - mark.stats.issues.total,
    answered: answered.length,
    failed: answered.filter((r) => !r.result.ok).length,
    provider:
      fleet.events === null
        ? null
        : providerActivity(
            fleet.events.filter((e) => e.at >= mark.at && e.at < next.at),
            mark.at,
          ),
    ...(mark.crash === undefined
      ? {}
      : { crash: { ...mark.crash, firstToken: firstToken(fleet.events, mark.crash.replacement) } }),
    ...(mark.notStarted === undefined || mark.notStarted.length === 0 ? {} : { notStarted: mark.notStarted }),
  };
}

function providerActivity(
  events: readonly FleetEvent[],
  since: number,
): NonNullable<TimelineEntry['provider']> {
  const issued = events.filter((e) => e.event.type === 'issued');
  const waits = events.flatMap((e) => (e.event.type === 'waited' ? [e.event.waitedMs] : []));
  return {
    issuedBy: issued.map((e) => e.replica),
    failedAttempts: events.filter((e) => e.event.type === 'issue-failed').length,
    reusedBy: [...new Set(events.filter((e) => e.event.type === 'reused-from-store').map((e) => e.replica))],
    maxWaitMs: Math.round(Math.max(0, ...waits)),
    firstIssueAfterMs: issued[0] === undefined ? null : Math.round(issued[0].at - since),
  };
}

/** How `replica` got its first token: adopted from the store, or issued itself. */
function firstToken(events: readonly FleetEvent[] | null, replica: string): 'reused' | 'issued' | null {
  const first = events?.find(
    (e) => e.replica === replica && (e.event.type === 'issued' || e.event.type === 'reused-from-store'),
  );
  if (first === undefined) return null;
  return first.event.type === 'issued' ? 'issued' : 'reused';
}
