import { describe, expect, test } from 'vitest';
import { eventually, randomNamespace } from '../src/index.ts';
import { startAlarm } from '../src/timing.ts';

describe('randomNamespace', () => {
  test('is unique per call and carries the prefix', () => {
    const names = new Set(Array.from({ length: 1000 }, () => randomNamespace('suite')));
    expect(names.size).toBe(1000);
    for (const name of names) expect(name.startsWith('suite:')).toBe(true);
    expect(randomNamespace().startsWith('cxk-conformance:')).toBe(true);
  });
});

describe('eventually', () => {
  test('returns the first accepted value', async () => {
    let calls = 0;
    const value = await eventually(
      async () => ++calls,
      (n) => n === 3,
      { timeoutMs: 5000, intervalMs: 1, description: 'three calls' },
    );
    expect(value).toBe(3);
    expect(calls).toBe(3);
  });

  test('throws with the description once the deadline passed', async () => {
    await expect(
      eventually(
        async () => false,
        (v) => v,
        { timeoutMs: 50, intervalMs: 5, description: 'pigs fly' },
      ),
    ).rejects.toThrow('Timed out after 50 ms waiting until pigs fly');
  });
});

describe('startAlarm', () => {
  test('fires after its delay unless cancelled', async () => {
    const fired = startAlarm(10);
    const cancelled = startAlarm(10);
    cancelled.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fired.fired).toBe(true);
    expect(cancelled.fired).toBe(false);
  });
});
