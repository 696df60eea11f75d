import { describe, expect, it } from 'vitest';
import { formatDelta, formatDuration, formatInstant, formatWindow } from '../src/format.ts';

describe('formatDuration', () => {
  it.each([
    [0, 'less than 1s'],
    [999, 'less than 1s'],
    [1000, '1s'],
    [59_999, '59s'],
    [61_000, '1m 1s'],
    [3_600_000, '1h'],
    [3_600_000 + 59_000, '1h'],
    [2 * 3_600_000 + 5 * 60_000 + 7000, '2h 5m'],
    [86_400_000 - 1, '23h 59m'],
    [86_400_000, '1d'],
    [2 * 86_400_000 + 3 * 3_600_000, '2d 3h'],
    [-90_000, '1m 30s'],
    [Number.POSITIVE_INFINITY, 'forever'],
  ])('%d ms is %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('relative times', () => {
  it('says in, ago and now', () => {
    expect(formatDelta(90_000)).toBe('in 1m 30s');
    expect(formatDelta(-7_500_000)).toBe('2h 5m ago');
    expect(formatDelta(400)).toBe('now');
    expect(formatDelta(Number.NaN)).toBe('at an unknown time');
    expect(formatInstant(Date.UTC(2025, 5, 2, 8, 12, 3), Date.UTC(2025, 5, 2, 5))).toBe(
      'in 3h 12m (2025-06-02T08:12:03.000Z)',
    );
  });

  it('prints windows of whole hours in hours', () => {
    expect(formatWindow(86_400_000)).toBe('24h');
    expect(formatWindow(90_000)).toBe('1m 30s');
  });
});
