import {
  API_DAILY_ISSUE_LIMIT,
  DEFAULT_QUOTA,
  decideQuota,
  quotaSummary,
  resolveQuotaOptions,
} from '@connexease-kit/auth-core/store';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { catchAuthError } from './support/errors.ts';

const DAY = 86_400_000;

describe('quota constants', () => {
  test('match the API: 30 a day, and a default of 25 per 24 h', () => {
    expect(API_DAILY_ISSUE_LIMIT).toBe(30);
    expect(DEFAULT_QUOTA).toEqual({ limit: 25, windowMs: DAY });
    expect(Object.isFrozen(DEFAULT_QUOTA)).toBe(true);
  });
});

describe('resolveQuotaOptions', () => {
  test('applies the defaults', () => {
    expect(resolveQuotaOptions()).toEqual({ limit: 25, windowMs: DAY, warnings: [] });
    expect(resolveQuotaOptions({})).toEqual({ limit: 25, windowMs: DAY, warnings: [] });
    expect(resolveQuotaOptions({ limit: 30 })).toEqual({ limit: 30, windowMs: DAY, warnings: [] });
    expect(resolveQuotaOptions({ limit: 1, windowMs: 2 * DAY })).toEqual({
      limit: 1,
      windowMs: 2 * DAY,
      warnings: [],
    });
  });

  test('refuses a limit above 30 and explains the ban', () => {
    const error = catchAuthError(() => resolveQuotaOptions({ limit: 31 }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('quota.limit');
    expect(error.message).toContain('bans');
    expect(error.message).toContain('31st');
  });

  test.each([0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, '25', null])('refuses limit %s', (limit) => {
    const error = catchAuthError(() => resolveQuotaOptions({ limit: limit as number }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(/quota\.limit must be an integer from 1 to 30/);
  });

  test.each([0, -5, 1.5, Number.NaN, '86400000', 32 * DAY])('refuses windowMs %s', (windowMs) => {
    const error = catchAuthError(() => resolveQuotaOptions({ windowMs: windowMs as number }));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('quota.windowMs');
  });

  test('refuses a quota that is not an object', () => {
    expect(catchAuthError(() => resolveQuotaOptions(25 as never)).code).toBe('CONFIG_INVALID');
  });

  test('allows a window shorter than 24 h with a warning that it does not cap the daily limit', () => {
    const resolved = resolveQuotaOptions({ limit: 3, windowMs: 60_000 });
    expect(resolved).toMatchObject({ limit: 3, windowMs: 60_000 });
    expect(resolved.warnings).toHaveLength(1);
    expect(resolved.warnings[0]).toMatch(/shorter than 24 hours.*does not cap the API's daily limit/);
  });
});

describe('decideQuota', () => {
  const options = { limit: 3, windowMs: 1000 };

  test('grants while fewer than limit entries are inside the window, counting the new one', () => {
    expect(decideQuota([], 5000, options)).toEqual({ granted: true, used: 1, remaining: 2 });
    expect(decideQuota([4500, 4900], 5000, options)).toEqual({ granted: true, used: 3, remaining: 0 });
  });

  test('denies at the limit and says when the oldest entry ages out', () => {
    expect(decideQuota([4900, 4200, 4500], 5000, options)).toEqual({
      granted: false,
      used: 3,
      remaining: 0,
      retryAt: 5200,
    });
  });

  test('an entry stops counting exactly windowMs after it was made', () => {
    expect(decideQuota([4000, 4500, 4900], 5000, options).granted).toBe(true);
    expect(decideQuota([4001, 4500, 4900], 5000, options).granted).toBe(false);
    expect(decideQuota([4001, 4500, 4900], 5001, options).granted).toBe(true);
  });

  test('when the limit was lowered below usage, retryAt waits for enough entries to age out', () => {
    const verdict = decideQuota([4100, 4200, 4300, 4400, 4500], 5000, { limit: 2, windowMs: 1000 });
    expect(verdict).toEqual({ granted: false, used: 5, remaining: 0, retryAt: 5400 });
    expect(decideQuota([4100, 4200, 4300, 4400, 4500], 5400, { limit: 2, windowMs: 1000 }).granted).toBe(
      true,
    );
  });

  test('does not modify its input', () => {
    const entries = [3, 1, 2];
    decideQuota(entries, 2, { limit: 1, windowMs: 10 });
    expect(entries).toEqual([3, 1, 2]);
  });
});

describe('quotaSummary', () => {
  test('reports usage without reserving, and retryAt only when spent', () => {
    expect(quotaSummary([4500], 5000, { limit: 2, windowMs: 1000 })).toEqual({
      used: 1,
      limit: 2,
      remaining: 1,
      retryAt: null,
    });
    expect(quotaSummary([4500, 4700, 3000], 5000, { limit: 2, windowMs: 1000 })).toEqual({
      used: 2,
      limit: 2,
      remaining: 0,
      retryAt: 5500,
    });
  });
});

describe('decideQuota properties', () => {
  /** Replays a sequence of reservation attempts against a fake store and returns the granted times. */
  function simulate(times: readonly number[], options: { limit: number; windowMs: number }): number[] {
    const granted: number[] = [];
    for (const now of times) {
      const verdict = decideQuota(granted, now, options);
      if (verdict.granted) {
        granted.push(now);
        expect(verdict.used).toBeLessThanOrEqual(options.limit);
      } else {
        expect(verdict.retryAt).toBeGreaterThan(now);
        // Nothing changes before retryAt: the same attempt a moment earlier is still denied.
        expect(decideQuota(granted, verdict.retryAt! - 1, options).granted).toBe(false);
        expect(decideQuota(granted, verdict.retryAt!, options).granted).toBe(true);
      }
    }
    return granted;
  }

  /** Every window (t - windowMs, t] holds at most `limit` grants; checking windows ending at grants suffices. */
  function expectNoWindowOverLimit(granted: readonly number[], options: { limit: number; windowMs: number }) {
    for (const end of granted) {
      const inWindow = granted.filter((time) => time > end - options.windowMs && time <= end).length;
      expect(inWindow).toBeLessThanOrEqual(options.limit);
    }
  }

  const quotaOptions = fc.record({
    limit: fc.integer({ min: 1, max: 30 }),
    windowMs: fc.integer({ min: 1, max: 10_000 }),
  });

  test('never grants more than limit within any window, for request times in store-clock order', () => {
    fc.assert(
      fc.property(
        quotaOptions,
        fc.array(fc.integer({ min: 0, max: 40_000 }), { maxLength: 300 }),
        (options, rawTimes) => {
          const times = [...rawTimes].sort((a, b) => a - b);
          expectNoWindowOverLimit(simulate(times, options), options);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('stays safe even if the store clock jumps backwards (times in any order)', () => {
    fc.assert(
      fc.property(
        quotaOptions,
        fc.array(fc.integer({ min: 0, max: 40_000 }), { maxLength: 200 }),
        (options, times) => {
          const granted: number[] = [];
          for (const now of times) if (decideQuota(granted, now, options).granted) granted.push(now);
          expectNoWindowOverLimit(granted, options);
        },
      ),
      { numRuns: 300 },
    );
  });

  test('grants everything a window allows: a denied attempt always sees limit entries in its window', () => {
    fc.assert(
      fc.property(
        quotaOptions,
        fc.array(fc.integer({ min: 0, max: 40_000 }), { maxLength: 200 }),
        (options, raw) => {
          const granted: number[] = [];
          for (const now of [...raw].sort((a, b) => a - b)) {
            const verdict = decideQuota(granted, now, options);
            if (verdict.granted) granted.push(now);
            else expect(granted.filter((time) => time > now - options.windowMs)).toHaveLength(options.limit);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
