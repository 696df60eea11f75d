import { formatDuration, formatWindow } from '@connexease-kit/auth-core/store';
import { describe, expect, it } from 'vitest';

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [250.4, '250ms'],
    [999, '999ms'],
    [1000, '1s'],
    [1500, '1.5s'],
    [9999, '9.9s'],
    [10_000, '10s'],
    [59_999, '59s'],
    [61_000, '1m 1s'],
    [3_600_000, '1h'],
    [3_600_000 + 59_000, '1h'],
    [2 * 3_600_000 + 5 * 60_000 + 7000, '2h 5m'],
    [86_400_000 - 1, '23h 59m'],
    [86_400_000, '1d'],
    [86_430_000, '1d'],
    [2 * 86_400_000 + 3 * 3_600_000, '2d 3h'],
    [-90_000, '1m 30s'],
    [Number.POSITIVE_INFINITY, 'forever'],
    [Number.NaN, 'an unknown time'],
  ])('%d ms reads %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatWindow', () => {
  it('prints windows of whole hours in hours, anything else as a duration', () => {
    expect(formatWindow(86_400_000)).toBe('24h');
    expect(formatWindow(3_600_000)).toBe('1h');
    expect(formatWindow(90_000)).toBe('1m 30s');
    expect(formatWindow(86_430_000)).toBe('1d');
  });
});
