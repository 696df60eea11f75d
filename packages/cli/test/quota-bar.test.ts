import { describe, expect, it } from 'vitest';
import { renderQuotaBar } from '../src/quota-bar.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A reservation made `ageMs` ago in a window of `windowMs`, as the status report holds it. */
const reservedAgo = (ageMs: number, windowMs = DAY) => ({
  reservedAt: 'unused',
  freesAt: 'unused',
  freesInMs: windowMs - ageMs,
});

describe('renderQuotaBar', () => {
  it('is empty when nothing was reserved', () => {
    expect(renderQuotaBar({ windowMs: DAY, reservations: [] })).toBe(
      `|${'·'.repeat(24)}| 1h a cell, now on the right`,
    );
  });

  it('puts each attempt in the hour it was made, oldest left, and counts a burst in one cell', () => {
    const reservations = [
      reservedAgo(DAY - 1), // the oldest still counted: the first cell
      reservedAgo(10 * HOUR + 5 * 60_000),
      reservedAgo(10 * HOUR + 30 * 60_000),
      reservedAgo(10 * HOUR + 50 * 60_000),
      reservedAgo(1000), // just now: the last cell
    ];
    const bar = renderQuotaBar({ windowMs: DAY, reservations });
    expect(bar).toBe(`|1${'·'.repeat(12)}3${'·'.repeat(9)}1| 1h a cell, now on the right`);
  });

  it('shows ten or more in one cell as +, and never draws outside the window', () => {
    const burst = Array.from({ length: 12 }, () => reservedAgo(30 * 60_000));
    // Clock jitter at both edges: a reservation a little in the future, one just past the window.
    const edges = [reservedAgo(-5000), reservedAgo(DAY + 5000)];
    const bar = renderQuotaBar({ windowMs: DAY, reservations: [...burst, ...edges] });
    expect(bar).toBe(`|1${'·'.repeat(22)}+| 1h a cell, now on the right`);
  });

  it('scales its cells to the window', () => {
    expect(renderQuotaBar({ windowMs: 2 * HOUR, reservations: [reservedAgo(0, 2 * HOUR)] })).toBe(
      `|${'·'.repeat(23)}1| 5m a cell, now on the right`,
    );
  });
});
