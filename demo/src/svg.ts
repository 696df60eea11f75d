import type { DemoReport } from './report.ts';
import type { EventKind } from './scenario.ts';

type Run = DemoReport['kit'];

const WIDTH = 960;
const LEFT = 64;
const RIGHT = WIDTH - 150;
const PANEL_TOP = 86;
const PANEL_HEIGHT = 250;
const PLOT_TOP = 40;
const PLOT_HEIGHT = 170;
const COLORS = {
  postJwt: '#1f6feb',
  failed: '#d1242f',
  ban: '#a40e26',
  limit: '#57606a',
  event: '#8c959f',
  grid: '#eaeef2',
  text: '#1f2328',
};
const EVENT_LABELS: Record<EventKind, string> = {
  start: 'start',
  crash: 'crash',
  storm: '502 storm',
  revocation: 'token revoked',
};

/**
 * The run as a picture (`--svg FILE`): for connexease-kit and for the naive client, on the same axes,
 * `POST /jwt/` requests and failed requests as they added up over time, the scripted events, the API's
 * daily limit, and the ban where it happened (a `class="ban"` group). A plain SVG string, no dependency.
 */
export function renderSvg(report: DemoReport): string {
  const { kit, naive, options } = report;
  const endMs = axisEnd(Math.max(kit.durationMs, naive.durationMs, 1));
  const tallest = Math.max(
    kit.postJwt.total,
    kit.requests.failed,
    naive.postJwt.total,
    naive.requests.failed,
  );
  const yMax = niceCeiling(Math.max(tallest, options.apiDailyLimit) * 1.1);
  const axes = { endMs, yMax, limit: options.apiDailyLimit };
  const height = PANEL_TOP + 2 * PANEL_HEIGHT + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" role="img" aria-labelledby="title desc" font-family="system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif" font-size="12" fill="${COLORS.text}">`,
    `<title id="title">${escapeXml(`connexease-kit demo: ${runSummary(kit)}; naive: ${runSummary(naive)}`)}</title>`,
    `<desc id="desc">${escapeXml(`${report.headline.kit}. ${report.headline.naive}.`)}</desc>`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    text(
      LEFT,
      26,
      `connexease-kit demo: ${options.replicas} replicas, ${options.requests} requests at ${options.ratePerSecond}/s, the same scripted day twice`,
      { size: 15, weight: 'bold' },
    ),
    legend(options.apiDailyLimit),
    panel('kit', `connexease-kit: ${runSummary(kit)}`, kit, PANEL_TOP, axes),
    panel('naive', `naive per-replica client: ${runSummary(naive)}`, naive, PANEL_TOP + PANEL_HEIGHT, axes),
    text((LEFT + RIGHT) / 2, height - 10, 'seconds since the run started', {
      anchor: 'middle',
      color: COLORS.limit,
    }),
    '</svg>',
    '',
  ].join('\n');
}

interface Axes {
  endMs: number;
  yMax: number;
  limit: number;
}

function panel(id: string, title: string, run: Run, top: number, axes: Axes): string {
  const plotTop = top + PLOT_TOP;
  const x = (ms: number): number => LEFT + (Math.min(ms, axes.endMs) / axes.endMs) * (RIGHT - LEFT);
  const y = (count: number): number => plotTop + PLOT_HEIGHT - (count / axes.yMax) * PLOT_HEIGHT;
  const bottom = y(0);
  const parts = [
    `<g id="${id}">`,
    text(LEFT, top + 22, title, { size: 13, weight: 'bold' }),
    ...yGrid(axes.yMax).map(
      (count) =>
        `<line x1="${LEFT}" x2="${RIGHT}" y1="${fixed(y(count))}" y2="${fixed(y(count))}" stroke="${COLORS.grid}"/>` +
        text(LEFT - 8, y(count) + 4, String(count), { anchor: 'end', color: COLORS.limit }),
    ),
    ...xTicks(axes.endMs).map(
      (ms) =>
        `<line x1="${fixed(x(ms))}" x2="${fixed(x(ms))}" y1="${fixed(bottom)}" y2="${fixed(bottom + 4)}" stroke="${COLORS.limit}"/>` +
        text(x(ms), bottom + 17, `${ms / 1000} s`, { anchor: 'middle', color: COLORS.limit }),
    ),
    `<line x1="${LEFT}" x2="${RIGHT}" y1="${fixed(bottom)}" y2="${fixed(bottom)}" stroke="${COLORS.limit}"/>`,
    ...run.timeline
      .filter((entry) => entry.kind !== 'start')
      .map((entry, index) => {
        const at = fixed(x(entry.atMs));
        return (
          `<line x1="${at}" x2="${at}" y1="${fixed(plotTop - 4)}" y2="${fixed(bottom)}" stroke="${COLORS.event}" stroke-dasharray="2 3"/>` +
          text(x(entry.atMs) + 3, plotTop + 6 + (index % 2) * 13, EVENT_LABELS[entry.kind], {
            size: 10,
            color: COLORS.limit,
          })
        );
      }),
    `<line x1="${LEFT}" x2="${RIGHT}" y1="${fixed(y(axes.limit))}" y2="${fixed(y(axes.limit))}" stroke="${COLORS.limit}" stroke-dasharray="6 4"/>`,
    limitLabel(axes.limit, y(axes.limit), run.bannedAt !== null && x(run.bannedAt.atMs) < LEFT + 400),
    stepLine(run.series.postJwtAtMs, axes.endMs, x, y, COLORS.postJwt),
    stepLine(run.series.failedAtMs, axes.endMs, x, y, COLORS.failed),
    ...endLabels(run, y),
  ];
  if (run.bannedAt !== null) {
    parts.push(banMarker(run.bannedAt, x(run.bannedAt.atMs), plotTop, bottom, y(axes.limit)));
  }
  parts.push('</g>');
  return parts.join('\n');
}

/** A cumulative count as a step line: flat until each event, then one up. */
function stepLine(
  times: readonly number[],
  endMs: number,
  x: (ms: number) => number,
  y: (count: number) => number,
  color: string,
): string {
  let path = `M${fixed(x(0))} ${fixed(y(0))}`;
  [...times]
    .sort((a, b) => a - b)
    .forEach((ms, index) => {
      path += ` H${fixed(x(ms))} V${fixed(y(index + 1))}`;
    });
  path += ` H${fixed(x(endMs))}`;
  return `<path d="${path}" fill="none" stroke="${color}" stroke-width="2.5" stroke-linejoin="round"/>`;
}

/** The final counts at the right end of their lines, pushed apart when they would overlap. */
function endLabels(run: Run, y: (count: number) => number): string[] {
  const postJwt = {
    at: y(run.series.postJwtAtMs.length),
    label: `${run.series.postJwtAtMs.length} POST /jwt/`,
  };
  const failed = { at: y(run.series.failedAtMs.length), label: `${run.series.failedAtMs.length} failed` };
  if (Math.abs(postJwt.at - failed.at) < 14) {
    const middle = (postJwt.at + failed.at) / 2;
    const postJwtAbove = run.series.postJwtAtMs.length >= run.series.failedAtMs.length;
    postJwt.at = middle + (postJwtAbove ? -7 : 7);
    failed.at = middle + (postJwtAbove ? 7 : -7);
  }
  return [
    text(RIGHT + 6, postJwt.at + 4, postJwt.label, { color: COLORS.postJwt, weight: 'bold' }),
    text(RIGHT + 6, failed.at + 4, failed.label, { color: COLORS.failed, weight: 'bold' }),
  ];
}

/** Room the ban's label takes beside its line. */
const BAN_LABEL_WIDTH = 250;

/**
 * The ban: a line where it happened, the time after it shaded, and a label just above the limit line,
 * beside the line (on its left when the ban came late in the run).
 */
function banMarker(
  bannedAt: NonNullable<Run['bannedAt']>,
  at: number,
  top: number,
  bottom: number,
  limitY: number,
): string {
  const leftOfLine = at > RIGHT - BAN_LABEL_WIDTH;
  const labelX = leftOfLine ? at - 6 : at + 6;
  const style = { anchor: leftOfLine ? ('end' as const) : ('start' as const), color: COLORS.ban };
  const when = `BANNED at request ${bannedAt.request} (${(bannedAt.atMs / 1000).toFixed(2)} s)`;
  return [
    '<g class="ban">',
    `<rect x="${fixed(at)}" y="${fixed(top - 8)}" width="${fixed(RIGHT - at)}" height="${fixed(bottom - top + 8)}" fill="${COLORS.ban}" fill-opacity="0.06"/>`,
    `<line x1="${fixed(at)}" x2="${fixed(at)}" y1="${fixed(top - 8)}" y2="${fixed(bottom)}" stroke="${COLORS.ban}" stroke-width="2"/>`,
    text(labelX, limitY - 24, when, { ...style, weight: 'bold' }),
    text(labelX, limitY - 9, 'from here every POST /jwt/ answers 403', { ...style, size: 11 }),
    '</g>',
  ].join('\n');
}

/** Names the limit line at its left end, or at its right end when an early ban's label is there. */
function limitLabel(limit: number, at: number, atRightEnd: boolean): string {
  const label = `the API's limit: ${limit} JWTs a day, the next one bans`;
  const style = { size: 10, color: COLORS.limit };
  return atRightEnd
    ? text(RIGHT - 4, at + 13, label, { ...style, anchor: 'end' })
    : text(LEFT + 4, at - 5, label, style);
}

function legend(limit: number): string {
  const item = (x: number, swatch: string, label: string): string => `${swatch}${text(x + 26, 55, label)}`;
  const line = (x: number, color: string, dash = ''): string =>
    `<line x1="${x}" x2="${x + 20}" y1="51" y2="51" stroke="${color}" stroke-width="2.5"${dash}/>`;
  return [
    item(LEFT, line(LEFT, COLORS.postJwt), 'POST /jwt/ requests, added up'),
    item(LEFT + 230, line(LEFT + 230, COLORS.failed), 'failed requests, added up'),
    item(
      LEFT + 430,
      line(LEFT + 430, COLORS.limit, ' stroke-dasharray="6 4"'),
      `the API's daily limit (${limit})`,
    ),
    item(LEFT + 640, line(LEFT + 640, COLORS.ban), 'the API bans the user'),
  ].join('\n');
}

function runSummary(run: Run): string {
  const ban = run.bannedAt === null ? 'never banned' : 'banned';
  return `${run.postJwt.total} POST /jwt/ (${run.issued} JWTs issued), ${run.requests.failed} failed requests, ${ban}`;
}

/** Gridline values: about five, at a round step. */
function yGrid(yMax: number): number[] {
  const step = niceStep(yMax / 5);
  return Array.from({ length: Math.floor(yMax / step) + 1 }, (_, i) => i * step);
}

/** The time axis's step in ms: about ten ticks, at a round number of seconds. */
function tickStep(endMs: number): number {
  return niceStep(endMs / 10 / 1000) * 1000;
}

/** The time axis ends on a tick, after the longer run. */
function axisEnd(durationMs: number): number {
  const step = tickStep(durationMs);
  return Math.ceil(durationMs / step) * step;
}

function xTicks(endMs: number): number[] {
  const step = tickStep(endMs);
  return Array.from({ length: Math.floor(endMs / step + 1e-9) + 1 }, (_, i) => i * step);
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(Math.max(raw, 1e-9)));
  return [1, 2, 5, 10].map((m) => m * power).find((step) => step >= raw) ?? 10 * power;
}

function niceCeiling(value: number): number {
  const step = niceStep(value / 5);
  return Math.ceil(value / step) * step;
}

interface TextStyle {
  anchor?: 'start' | 'middle' | 'end';
  size?: number;
  weight?: 'bold';
  color?: string;
}

function text(x: number, y: number, content: string, style: TextStyle = {}): string {
  const attributes = [
    `x="${fixed(x)}"`,
    `y="${fixed(y)}"`,
    style.anchor === undefined || style.anchor === 'start' ? '' : `text-anchor="${style.anchor}"`,
    style.size === undefined ? '' : `font-size="${style.size}"`,
    style.weight === undefined ? '' : `font-weight="${style.weight}"`,
    style.color === undefined ? '' : `fill="${style.color}"`,
  ].filter((attribute) => attribute !== '');
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`;
}

function escapeXml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

function fixed(value: number): string {
  return String(Math.round(value * 10) / 10);
}
