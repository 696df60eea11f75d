import { type TokenRecord, watchExpiry } from '@connexease-kit/auth-core/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const NOW = 1_000_000;
const known: TokenRecord = { value: 'v', issuedAt: NOW - 1000, expiresAt: NOW + 5000, fence: 1 };

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('watchExpiry', () => {
  it('looks when the known token expires, then again every recheck interval until stopped', async () => {
    let looks = 0;
    const stop = watchExpiry(
      known,
      Date.now,
      () => {
        looks += 1;
      },
      250,
    );
    await vi.advanceTimersByTimeAsync(5000);
    expect(looks).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(looks).toBe(1);
    await vi.advanceTimersByTimeAsync(250);
    expect(looks).toBe(2);
    await vi.advanceTimersByTimeAsync(250);
    expect(looks).toBe(3);
    stop();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(looks).toBe(3);
  });

  it('waits for a slow check before arming the next one, and survives a check that rejects', async () => {
    let looks = 0;
    let finish: () => void = () => {};
    const stop = watchExpiry(
      known,
      Date.now,
      () => {
        looks += 1;
        if (looks === 1) return new Promise<void>((resolve) => (finish = resolve));
        return Promise.reject(new Error('a failed read'));
      },
      250,
    );
    await vi.advanceTimersByTimeAsync(6000);
    expect(looks).toBe(1);
    finish();
    await vi.advanceTimersByTimeAsync(250);
    expect(looks).toBe(2);
    await vi.advanceTimersByTimeAsync(250);
    expect(looks).toBe(3);
    stop();
  });

  it('does nothing without a known token', async () => {
    let looks = 0;
    watchExpiry(null, Date.now, () => {
      looks += 1;
    });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(looks).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
