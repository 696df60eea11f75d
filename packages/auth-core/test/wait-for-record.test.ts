import { isConnexeaseAuthError } from '@connexease-kit/auth-core';
import {
  type RecordChangeSource,
  type TokenRecord,
  waitForRecordChange,
} from '@connexease-kit/auth-core/store';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const NOW = 1_000_000;
const HOUR = 60 * 60 * 1000;

function record(value: string, fence: number, expiresAt = NOW + HOUR): TokenRecord {
  return { value, fence, issuedAt: NOW, expiresAt };
}

/**
 * A store-like source over one variable: `write` changes it and notifies the live subscriptions;
 * it counts reads and live subscriptions, so a test sees what the wait left behind.
 */
class TestSource implements RecordChangeSource {
  current: TokenRecord | null = null;
  pollIntervalMs = 60_000;
  reads = 0;
  readonly listeners = new Set<(carried?: TokenRecord) => void>();
  readonly closeHandlers = new Set<(error: unknown) => void>();
  /** When set, subscriptions become active only when the test resolves it. */
  ready: Promise<void> | undefined;
  now?: () => number;
  onReadError?: (error: unknown) => void;
  failNextRead: Error | undefined;

  subscribe(onChange: (carried?: TokenRecord) => void) {
    let active = this.ready === undefined;
    const listener = (carried?: TokenRecord): void => {
      if (active) onChange(carried);
    };
    this.listeners.add(listener);
    const ready = this.ready?.then(() => {
      active = true;
    });
    return { ready, release: () => this.listeners.delete(listener) };
  }

  read(): TokenRecord | null {
    this.reads += 1;
    const failure = this.failNextRead;
    this.failNextRead = undefined;
    if (failure !== undefined) throw failure;
    return this.current;
  }

  onClose(reject: (error: unknown) => void): () => void {
    this.closeHandlers.add(reject);
    return () => this.closeHandlers.delete(reject);
  }

  write(next: TokenRecord | null, carry = false): void {
    this.current = next;
    for (const listener of [...this.listeners]) listener(carry && next !== null ? next : undefined);
  }

  close(): void {
    const error = new Error('the test store was closed');
    for (const reject of [...this.closeHandlers]) reject(error);
  }

  /** Whether the wait released everything it registered. */
  get released(): boolean {
    return this.listeners.size === 0 && this.closeHandlers.size === 0;
  }
}

beforeEach(() => {
  vi.useFakeTimers({ now: NOW });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('waitForRecordChange', () => {
  it('resolves at once with the stored record when it already differs from the known one', async () => {
    const source = new TestSource();
    source.current = record('b', 2);
    await expect(waitForRecordChange({ known: record('a', 1), timeoutMs: 10_000 }, source)).resolves.toEqual(
      record('b', 2),
    );
    expect(source.released, 'a settled wait keeps no listener').toBe(true);
    expect(vi.getTimerCount(), 'a settled wait keeps no timer').toBe(0);
  });

  it('wakes on a notification and reads the new record', async () => {
    const source = new TestSource();
    const wait = waitForRecordChange({ known: null, timeoutMs: 10_000 }, source);
    await vi.advanceTimersByTimeAsync(0);
    source.write(record('a', 1));
    await expect(wait).resolves.toEqual(record('a', 1));
    expect(source.released).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('reads only once the subscription is active, so a write before that is not lost', async () => {
    const source = new TestSource();
    let activate: () => void = () => {};
    source.ready = new Promise((resolve) => {
      activate = resolve;
    });
    const wait = waitForRecordChange({ known: null, timeoutMs: 10_000 }, source);
    await vi.advanceTimersByTimeAsync(0);
    expect(source.reads, 'no read before the subscription is active').toBe(0);
    // The notification of this write is lost (the subscription is not active yet); the first read finds it.
    source.write(record('a', 1));
    activate();
    await expect(wait).resolves.toEqual(record('a', 1));
  });

  it('adopts a record a notification carries without reading, when its fence is not older', async () => {
    const source = new TestSource();
    const known = record('a', 1);
    source.current = known;
    const wait = waitForRecordChange({ known, timeoutMs: 10_000 }, source);
    await vi.advanceTimersByTimeAsync(0);
    const readsBefore = source.reads;
    source.write(record('b', 2), true);
    await expect(wait).resolves.toEqual(record('b', 2));
    expect(source.reads, 'a carried record needs no read').toBe(readsBefore);
  });

  it('reads instead of adopting a carried record with an older fence (a late message)', async () => {
    const source = new TestSource();
    const known = record('b', 2);
    source.current = known;
    const wait = waitForRecordChange({ known, timeoutMs: 10_000 }, source);
    await vi.advanceTimersByTimeAsync(0);
    for (const listener of source.listeners) listener(record('a', 1));
    await vi.advanceTimersByTimeAsync(0);
    source.write(record('c', 3));
    await expect(wait).resolves.toEqual(record('c', 3));
  });

  it('wakes when the known token expires on the source clock, though nothing is notified', async () => {
    const source = new TestSource();
    const known = record('a', 1, NOW + 5_000);
    source.current = known;
    const wait = waitForRecordChange({ known, timeoutMs: HOUR }, source);
    await vi.advanceTimersByTimeAsync(4_000);
    source.current = null; // expired, as a store without expiry notifications sees it
    await vi.advanceTimersByTimeAsync(1_001);
    await expect(wait).resolves.toBeNull();
  });

  it('times the expiry on the clock the source gives (a database ahead of the process)', async () => {
    const source = new TestSource();
    source.now = () => Date.now() + 4_000;
    const known = record('a', 1, NOW + 5_000);
    source.current = known;
    const wait = waitForRecordChange({ known, timeoutMs: HOUR }, source);
    await vi.advanceTimersByTimeAsync(500);
    source.current = null;
    await vi.advanceTimersByTimeAsync(501);
    await expect(wait).resolves.toBeNull();
  });

  it('polls as a safety net when a notification never comes', async () => {
    const source = new TestSource();
    source.pollIntervalMs = 1_000;
    const wait = waitForRecordChange({ known: null, timeoutMs: HOUR }, source);
    await vi.advanceTimersByTimeAsync(0);
    source.current = record('a', 1); // no notification
    await vi.advanceTimersByTimeAsync(1_000);
    await expect(wait).resolves.toEqual(record('a', 1));
  });

  it('answers with whatever is current at the timeout', async () => {
    const source = new TestSource();
    const known = record('a', 1);
    source.current = known;
    const wait = waitForRecordChange({ known, timeoutMs: 2_000 }, source);
    await vi.advanceTimersByTimeAsync(2_000);
    await expect(wait).resolves.toEqual(known);
    expect(source.released).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects with ABORTED when the signal aborts, and at once when it already has', async () => {
    const source = new TestSource();
    const controller = new AbortController();
    const wait = waitForRecordChange({ known: null, timeoutMs: 10_000, signal: controller.signal }, source);
    controller.abort(new Error('caller gave up'));
    const error = await wait.catch((caught: unknown) => caught);
    expect(isConnexeaseAuthError(error) && error.code).toBe('ABORTED');
    expect(source.released).toBe(true);

    await expect(
      waitForRecordChange({ known: null, timeoutMs: 10_000, signal: controller.signal }, source),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(source.listeners.size, 'an aborted signal never subscribes').toBe(0);
  });

  it('rejects with the store error when the store closes', async () => {
    const source = new TestSource();
    const wait = waitForRecordChange({ known: null, timeoutMs: 10_000 }, source);
    await vi.advanceTimersByTimeAsync(0);
    source.close();
    await expect(wait).rejects.toThrow('the test store was closed');
    expect(source.released).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ends the wait with a failed read by default', async () => {
    const source = new TestSource();
    source.failNextRead = new Error('store down');
    await expect(waitForRecordChange({ known: null, timeoutMs: 10_000 }, source)).rejects.toThrow(
      'store down',
    );
    expect(source.released).toBe(true);
  });

  it('reports a failed read and keeps waiting when the source has onReadError', async () => {
    const source = new TestSource();
    const reported: unknown[] = [];
    source.onReadError = (error) => reported.push(error);
    source.failNextRead = new Error('store down');
    const wait = waitForRecordChange({ known: null, timeoutMs: 10_000 }, source);
    await vi.advanceTimersByTimeAsync(0);
    expect(reported).toEqual([new Error('store down')]);
    source.write(record('a', 1));
    await expect(wait).resolves.toEqual(record('a', 1));
  });

  it('keeps one read in flight and reads again when a notification arrives meanwhile', async () => {
    const source = new TestSource();
    const slow = { reads: 0, inFlight: 0, most: 0 };
    let release: () => void = () => {};
    const asyncSource: RecordChangeSource = {
      subscribe: (onChange) => source.subscribe(onChange),
      onClose: (reject) => source.onClose(reject),
      pollIntervalMs: 60_000,
      read: async () => {
        const seen = source.current;
        slow.reads += 1;
        slow.inFlight += 1;
        slow.most = Math.max(slow.most, slow.inFlight);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
        slow.inFlight -= 1;
        return seen;
      },
    };
    const wait = waitForRecordChange({ known: null, timeoutMs: 10_000 }, asyncSource);
    await vi.advanceTimersByTimeAsync(0);
    source.write(record('a', 1)); // arrives while the first read (which saw null) is in flight
    source.write(record('a', 1));
    release();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await expect(wait).resolves.toEqual(record('a', 1));
    expect(slow.most, 'reads never overlap').toBe(1);
    expect(slow.reads, 'notifications during a read coalesce into one more read').toBe(2);
  });
});
