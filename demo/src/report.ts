import { checkGuarantees, EXPECTED_ISSUES, type Guarantee } from './guarantees.ts';
import { API_DAILY_LIMIT, SCENARIO, type ScenarioResult, type TimelineEntry } from './scenario.ts';

/** A timeline entry with its outcome in words. */
export type ReportedEntry = TimelineEntry & { summary: string };

/** The whole report: what `--json` prints, and what the human report is rendered from. */
export interface DemoReport {
  /** True when every guarantee held; the exit code follows it. */
  ok: boolean;
  options: {
    replicas: number;
    requests: number;
    store: 'memory' | 'redis';
    ratePerSecond: number;
    apiLatencyMs: number;
    apiDailyLimit: number;
  };
  headline: { kit: string; naive: string };
  kit: Omit<ScenarioResult, 'timeline'> & { timeline: ReportedEntry[] };
  naive: Omit<ScenarioResult, 'timeline'> & {
    timeline: ReportedEntry[];
    /** If the run ended before the ban: the request at which its issue rate reaches the ban. */
    projectedBanAtRequest: number | null;
  };
  guarantees: Guarantee[];
}

/** Builds the report of the two runs and checks connexease-kit's guarantees against the first. */
export function buildReport(
  options: Pick<DemoReport['options'], 'replicas' | 'requests' | 'store'>,
  kit: ScenarioResult,
  naive: ScenarioResult,
): DemoReport {
  const guarantees = checkGuarantees(kit);
  const projectedBanAtRequest =
    naive.bannedAt === null && naive.issued > 0
      ? Math.ceil(((API_DAILY_LIMIT + 1) * naive.requests.total) / naive.issued)
      : null;
  return {
    ok: guarantees.every((g) => g.ok),
    options: {
      ...options,
      ratePerSecond: SCENARIO.ratePerSecond,
      apiLatencyMs: SCENARIO.apiLatencyMs,
      apiDailyLimit: API_DAILY_LIMIT,
    },
    headline: { kit: kitHeadline(kit), naive: naiveHeadline(naive, projectedBanAtRequest) },
    kit: { ...kit, timeline: kit.timeline.map((e) => ({ ...e, summary: outcome(e, kit) })) },
    naive: {
      ...naive,
      timeline: naive.timeline.map((e) => ({ ...e, summary: outcome(e, naive) })),
      projectedBanAtRequest,
    },
    guarantees,
  };
}

function kitHeadline(kit: ScenarioResult): string {
  const retried = kit.postJwt.total - kit.issued;
  return (
    `connexease-kit: ${kit.issued} JWTs issued (${issuedWhen(kit)}), ${kit.postJwt.total} POST /jwt/ in all` +
    (retried > 0 ? ` (${retried} answered ${failedStatuses(kit)} in the storm, retried within quota)` : '') +
    `, ${kit.requests.failed} failed requests, ${kit.bannedAt === null ? 'never banned' : 'BANNED'}`
  );
}

/** "1 at start, 1 after the server revoked the token", from the timeline. */
function issuedWhen(run: ScenarioResult): string {
  const when = {
    start: 'at start',
    crash: 'after crashes',
    storm: 'in the storm',
    revocation: 'after the server revoked the token',
  };
  const counts = new Map<TimelineEntry['kind'], number>();
  for (const entry of run.timeline) counts.set(entry.kind, (counts.get(entry.kind) ?? 0) + entry.issued);
  return [...counts]
    .filter(([, count]) => count > 0)
    .map(([kind, count]) => `${count} ${when[kind]}`)
    .join(', ');
}

function failedStatuses(run: ScenarioResult): string {
  return Object.keys(run.postJwt.byStatus)
    .filter((status) => status !== '200')
    .join(' or ');
}

function naiveHeadline(naive: ScenarioResult, projected: number | null): string {
  const ban =
    naive.bannedAt !== null
      ? `banned at request ${naive.bannedAt.request} (${seconds(naive.bannedAt.atMs)} in, "This agent has been banned!")`
      : `not banned within this run, but at its rate the ban comes at about request ${projected ?? '?'}`;
  return `naive: ${naive.postJwt.total} POST /jwt/ (${naive.issued} JWTs issued), ${ban}, ${naive.requests.failed} failed requests`;
}

/** What followed one event, in words. */
function outcome(entry: TimelineEntry, run: ScenarioResult): string {
  const parts = [
    entry.postJwt.total === 0
      ? 'no POST /jwt/'
      : `POST /jwt/ ×${entry.postJwt.total} (${statuses(entry.postJwt.byStatus)})`,
  ];
  const p = entry.provider;
  if (entry.kind === 'start') {
    const failedToStart = entry.notStarted ?? [];
    parts.push(
      p === null
        ? failedToStart.length === 0
          ? 'every replica logged in'
          : `${failedToStart.length} replicas could not start: ${failedToStart[0]!.error}`
        : `${p.issuedBy.join(', ')} issued the JWT; ${p.reusedBy.length} replicas waited ${seconds(p.maxWaitMs)} for it and reused it`,
    );
  } else if (entry.kind === 'crash' && entry.crash !== undefined) {
    const { replacement, started, error } = entry.crash;
    if (!started) parts.push(`${replacement} could not start: ${error}`);
    else if (p === null) parts.push(`${replacement} logged in at start`);
    else if (entry.crash.firstToken === 'reused') parts.push(`${replacement} reused the shared token`);
    else if (entry.crash.firstToken === 'issued') parts.push(`${replacement} issued a token of its own`);
  } else if (entry.kind === 'storm') {
    if (entry.postJwt.total === 0)
      parts.push('the token is cached, so the faults wait for the next POST /jwt/');
  } else if (entry.kind === 'revocation') {
    if (p === null) {
      parts.push('every request that got a 401 logged in on its own');
    } else {
      const by = p.issuedBy.join(', ') || 'nobody';
      const retried =
        p.failedAttempts > 0 ? `: ${p.failedAttempts} attempts failed and were retried within quota` : '';
      const after = p.firstIssueAfterMs === null ? '' : `, new token after ${seconds(p.firstIssueAfterMs)}`;
      parts.push(
        `${p.issuedBy.length} refresh by ${by}${retried}${after}; callers waited for it instead of failing; ` +
          `${p.reusedBy.length} other replicas picked it up from the store`,
      );
    }
  }
  const { bannedAt } = run;
  const next = run.timeline[run.timeline.indexOf(entry) + 1];
  if (bannedAt !== null && bannedAt.atMs >= entry.atMs && (next === undefined || bannedAt.atMs < next.atMs)) {
    parts.push(`BANNED at request ${bannedAt.request}`);
  }
  parts.push(`${entry.failed} of ${entry.answered} requests failed`);
  return parts.join('; ');
}

/** Renders the human report. */
export function renderReport(report: DemoReport): string {
  const { options: o, kit, naive } = report;
  const lines = [
    `connexease-kit demo: ${o.replicas} replicas, ${o.requests} requests arriving at ${o.ratePerSecond}/s`,
    `against the mock Connexease API with its real rules (${o.apiDailyLimit} JWTs per API user per 24 h; the next`,
    `POST /jwt/ bans the user) and ${o.apiLatencyMs} ms latency. The same scenario runs twice: connexease-kit, then naive.`,
    '',
    ...table([
      ['', 'connexease-kit', 'naive'],
      [
        'requests served / failed',
        `${kit.requests.served} / ${kit.requests.failed}`,
        `${naive.requests.served} / ${naive.requests.failed}`,
      ],
      ['POST /jwt/ requests', `${kit.postJwt.total}`, `${naive.postJwt.total}`],
      ['  JWTs issued (200)', `${kit.issued}`, `${naive.issued}`],
      [
        '  other answers',
        statuses(kit.postJwt.byStatus, '200') || '-',
        statuses(naive.postJwt.byStatus, '200') || '-',
      ],
      [
        'quota (provider status)',
        kit.quota === null ? '-' : `${kit.quota.used} of ${kit.quota.limit} used`,
        'not counted',
      ],
      ['API issues in 24 h', apiIssues(kit), apiIssues(naive)],
      ['banned', banned(kit), banned(naive)],
      ['latency p50 / p99 / max', latency(kit), latency(naive)],
    ]),
    "  (latency of served requests. connexease-kit's slowest ones waited for the refresh through the 502 storm,",
    "  where the provider backs off between attempts, instead of failing; the naive client's failures are not in it.)",
    '',
    'Timelines: time since the run started, #requests arrived so far, the event, and → what followed until the next one.',
    '',
    ...timeline(kit),
    '',
    ...timeline(naive),
    '',
    'In short',
    `  ${report.headline.kit}.`,
    `  ${report.headline.naive}.`,
    '',
    `Guarantees (connexease-kit, expected ${EXPECTED_ISSUES} JWTs: 1 at start + 1 after the revocation)`,
    ...report.guarantees.map((g) => `  ${g.ok ? 'ok  ' : 'FAIL'}  ${g.text}`),
    report.ok
      ? 'Every guarantee held.'
      : `GUARANTEE FAILED: ${report.guarantees
          .filter((g) => !g.ok)
          .map((g) => g.id)
          .join(', ')}`,
  ];
  return `${lines.join('\n')}\n`;
}

function timeline(run: DemoReport['kit']): string[] {
  return [
    `Timeline, ${run.fleet}`,
    ...run.timeline.flatMap((e) => [
      `  ${seconds(e.atMs).padStart(7)}  #${String(e.atRequest).padEnd(5)} ${e.what}`,
      `  ${''.padStart(7)}  ${''.padEnd(6)} → ${e.summary}`,
    ]),
  ];
}

function apiIssues(run: ScenarioResult): string {
  return `${run.api.used} of ${run.api.limit}${run.api.banned ? ', then banned' : ''}`;
}

function latency(run: ScenarioResult): string {
  return `${run.latencyMs.p50} / ${run.latencyMs.p99} / ${run.latencyMs.max} ms`;
}

function banned(run: ScenarioResult): string {
  return run.bannedAt === null
    ? 'never'
    : `at request ${run.bannedAt.request} (${seconds(run.bannedAt.atMs)})`;
}

/** `{ '502': 2, '200': 1 }` → `502 ×2, 200 ×1`, most frequent first. */
function statuses(byStatus: Record<string, number>, except?: string): string {
  return Object.entries(byStatus)
    .filter(([status]) => status !== except)
    .sort((a, b) => b[1] - a[1])
    .map(([status, count]) => `${status} ×${count}`)
    .join(', ');
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows.map(
    (row) =>
      `  ${row
        .map((cell, column) => cell.padEnd(widths[column]! + 3))
        .join('')
        .trimEnd()}`,
  );
}
