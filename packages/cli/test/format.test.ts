import { describe, expect, it } from 'vitest';
import { formatDelta, formatInstant } from '../src/format.ts';

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
});
