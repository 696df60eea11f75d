import { formatWindow } from '@connexease-kit/auth-core/store';
import { formatDelta } from './format.ts';
import { renderQuotaBar } from './quota-bar.ts';
import type { StatusReport } from './status-report.ts';

const LABEL_WIDTH = 11;

/**
 * The human form of a {@link StatusReport}: one labelled section per topic, relative times first and
 * exact UTC times in parentheses. Made from the report alone, so it never says more than `--json`.
 */
export function renderStatus(report: StatusReport): string {
  const { apiUser, store } = report;
  const overview: Section[] = [
    ['API user', `${apiUser.username} at ${apiUser.baseUrl}`],
    [
      'store',
      `${store.kind === 'file' ? `file ${store.directory}` : store.kind} (namespace ${apiUser.namespace})`,
    ],
    ['health', healthLine(report)],
  ];
  const details: Section[] = [
    quotaSection(report.quota),
    tokenSection(report.token, report.storeTime),
    leaseSection(report.lease),
    blockSection(report.block),
  ];
  return `${[...overview.map(formatSection), '', ...details.map(formatSection)].join('\n')}\n`;
}

/** A label and its lines: the first beside the label, the rest indented under it. */
type Section = [label: string, first: string, ...rest: string[]];

function formatSection([label, first, ...rest]: Section): string {
  const lines = [`${label.padEnd(LABEL_WIDTH)}${first}`];
  for (const line of rest) lines.push(`${' '.repeat(LABEL_WIDTH)}${line}`);
  return lines.join('\n');
}

function at(iso: string, deltaMs: number): string {
  return `${formatDelta(deltaMs)} (${iso})`;
}

function quotaSection(quota: StatusReport['quota']): Section {
  return [
    'quota',
    `${quota.used} of ${quota.limit} used in the last ${formatWindow(quota.windowMs)}, ${quota.remaining} remaining`,
    renderQuotaBar(quota),
    ...(quota.retryAt === null ? [] : [`spent: the next issue is possible at ${quota.retryAt}`]),
    ...(quota.lostThrough === null
      ? []
      : [
          `lost: the store lost its record of attempts up to ${quota.lostThrough}; counted as spent ` +
            "(run 'connexease-auth forget-loss' only if you know none were made)",
        ]),
    ...quota.reservations.map((slot) => `  slot frees up ${at(slot.freesAt, slot.freesInMs)}`),
  ];
}

function tokenSection(token: StatusReport['token'], storeTime: string): Section {
  if (token === null) {
    return ['token', 'none cached (the next service call, or `connexease-auth token`, issues one)'];
  }
  return [
    'token',
    `${token.state}, expires ${at(token.expiresAt, token.expiresInMs)}`,
    `refresh due ${at(token.refreshAt, token.refreshInMs)}`,
    `issued ${at(token.issuedAt, Date.parse(token.issuedAt) - Date.parse(storeTime))}, fence ${token.fence}`,
  ];
}

function leaseSection(lease: StatusReport['lease']): Section {
  if (lease === null) return ['lease', 'free (no process is issuing)'];
  return ['lease', `held (fence ${lease.fence}), expires ${at(lease.expiresAt, lease.expiresInMs)}`];
}

function blockSection(block: StatusReport['block']): Section {
  if (block === null) return ['block', 'none'];
  const until = block.until === null ? 'until unblocked' : `until ${at(block.until, block.untilInMs ?? 0)}`;
  return [
    'block',
    `${block.code} (${block.status}): ${block.reason}`,
    `written ${at(block.createdAt, -block.ageMs)}, ${until}`,
    ...blockAdvice(block),
  ];
}

function healthLine(report: StatusReport): string {
  switch (report.health) {
    case 'blocked':
      return `BLOCKED: no service can get a new token (exit ${report.exitCode})`;
    case 'quota-exhausted':
      return `QUOTA EXHAUSTED: nothing can be issued before ${report.quota.retryAt} (exit ${report.exitCode})`;
    default:
      return 'ok';
  }
}

function blockAdvice(block: NonNullable<StatusReport['block']>): string[] {
  if (block.code !== 'INVALID_CREDENTIALS') {
    return ["after Connexease support has reactivated the API user, run 'connexease-auth unblock'"];
  }
  switch (block.appliesToCurrentPassword) {
    case true:
      return ['it applies to the current password: fix the password (a changed password is tried at once)'];
    case false:
      return ['it does not apply to the current password: services using it are not blocked'];
    default:
      return [
        'it stops only the rejected password; set CONNEXEASE_PASSWORD or pass --check-password to compare yours',
      ];
  }
}
