import { formatDuration } from '@connexease-kit/auth-core/store';
import type { StatusReport } from './status-report.ts';

/** Cells in the bar: one an hour for the default 24-hour window. */
export const QUOTA_BAR_CELLS = 24;

/**
 * The quota window as one line of cells, oldest on the left and now on the right, each showing how
 * many `POST /jwt/` attempts were reserved in it: `·` for none, a digit, `+` for ten or more. An
 * operator sees at a glance whether the budget went in one burst (a crash loop) or a steady trickle.
 */
export function renderQuotaBar(quota: Pick<StatusReport['quota'], 'windowMs' | 'reservations'>): string {
  const counts = new Array<number>(QUOTA_BAR_CELLS).fill(0);
  for (const { freesInMs } of quota.reservations) {
    // A slot frees up `windowMs` after it was reserved, so its time left says where in the window it sits.
    const position = Math.floor((freesInMs / quota.windowMs) * QUOTA_BAR_CELLS);
    const cell = Math.min(QUOTA_BAR_CELLS - 1, Math.max(0, position));
    counts[cell] = (counts[cell] ?? 0) + 1;
  }
  const cells = counts.map((count) => (count === 0 ? '·' : count < 10 ? String(count) : '+')).join('');
  return `|${cells}| ${formatDuration(quota.windowMs / QUOTA_BAR_CELLS)} a cell, now on the right`;
}
