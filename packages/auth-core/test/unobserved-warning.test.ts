import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { type AuthEvent, createTokenProvider, type TokenProviderOptions } from '@connexease-kit/auth-core';
import { DIAGNOSTICS_CHANNELS } from '@connexease-kit/auth-core/diagnostics';
import { reportEvent } from '@connexease-kit/auth-core/store';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { createMemoryTokenStore } from '../../token-store-memory/src/index.ts';
import { createFakeIssuer, PASSWORD, USERNAME } from './support/provider-harness.ts';

/** What reaches `process.on('warning')`, the real Node event. */
let warnings: Error[] = [];
const onWarning = (warning: Error): void => {
  warnings.push(warning);
};

beforeEach(() => {
  warnings = [];
  process.on('warning', onWarning);
});

afterEach(() => {
  process.off('warning', onWarning);
});

/** `process.emitWarning` delivers on the next tick; give it a few. */
async function settleWarnings(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

/** A JWT provider with one misspelt option (`name` instead of a real option), and `extra` options. */
function providerWithUnknownOption(name: string, extra: Partial<TokenProviderOptions> = {}): void {
  const store = createMemoryTokenStore();
  const provider = createTokenProvider({
    credentials: { username: USERNAME, password: PASSWORD },
    issuer: createFakeIssuer().issuer,
    store,
    ...extra,
    [name]: 1000,
  } as TokenProviderOptions);
  closers.push(async () => {
    await provider.close();
    await store.close();
  });
}

const ours = (): Error[] =>
  warnings.filter((warning) => (warning as { code?: string }).code?.startsWith('CONNEXEASE'));

describe('warnings never vanish', () => {
  test('with no listener, an unknown option goes to process.emitWarning, once per process', async () => {
    providerWithUnknownOption('timeout');
    providerWithUnknownOption('timeout');
    await settleWarnings();
    expect(ours()).toHaveLength(1);
    expect(ours()[0]).toMatchObject({
      name: 'Warning',
      code: 'CONNEXEASE_WARNING',
      message: expect.stringContaining('unknown option "timeout"'),
    });
  });

  test('a distinct warning is emitted too', async () => {
    providerWithUnknownOption('retries');
    providerWithUnknownOption('waitTimeout');
    await settleWarnings();
    expect(ours().map((warning) => warning.message)).toEqual([
      expect.stringContaining('"retries"'),
      expect.stringContaining('"waitTimeout"'),
    ]);
  });

  test('with an onEvent listener the listener gets it and the process does not', async () => {
    const seen: AuthEvent[] = [];
    providerWithUnknownOption('timeoutMillis', { onEvent: (event) => seen.push(event) });
    await settleWarnings();
    expect(seen).toEqual([{ type: 'warning', message: expect.stringContaining('"timeoutMillis"') }]);
    expect(ours()).toEqual([]);
  });

  // A channel subscriber (such as @connexease-kit/otel, which drops warnings) is not your listener.
  test('with only a subscriber on connexease-kit:event, the subscriber and the process both get it', async () => {
    const seen: unknown[] = [];
    const listener = (message: unknown): void => void seen.push(message);
    subscribe(DIAGNOSTICS_CHANNELS.event, listener);
    try {
      providerWithUnknownOption('issueTimeout');
      await settleWarnings();
    } finally {
      unsubscribe(DIAGNOSTICS_CHANNELS.event, listener);
    }
    expect(seen).toEqual([{ type: 'warning', message: expect.stringContaining('"issueTimeout"') }]);
    expect(ours()).toMatchObject([
      { code: 'CONNEXEASE_WARNING', message: expect.stringContaining('"issueTimeout"') },
    ]);
  });

  test('reportEvent, the door for store adapters: its own code, and nothing when observed', async () => {
    reportEvent(
      { type: 'warning', message: 'a store says hello' },
      { observed: true, warningCode: 'CONNEXEASE_X' },
    );
    await settleWarnings();
    expect(ours()).toEqual([]);
    reportEvent(
      { type: 'warning', message: 'a store says hello' },
      { observed: false, warningCode: 'CONNEXEASE_X' },
    );
    reportEvent(
      { type: 'warning', message: 'a store says hello' },
      { observed: false, warningCode: 'CONNEXEASE_X' },
    );
    reportEvent({ type: 'unblocked', ns: 'n' }, { observed: false });
    await settleWarnings();
    expect(ours()).toMatchObject([{ code: 'CONNEXEASE_X', message: 'a store says hello' }]);
  });
});

describe('the once-per-process memory stays small', () => {
  const remembered = (): number =>
    (globalThis as { [key: symbol]: Set<string> | undefined })[Symbol.for('connexease-kit.emitted-warnings')]
      ?.size ?? 0;

  test('warnings whose text changes every time (ages, paths, times) do not grow it without bound', async () => {
    const stale = (seconds: number): string => `a stale lock is ${seconds}s old`;
    for (let seconds = 0; seconds < 500; seconds += 1) {
      reportEvent(
        { type: 'warning', message: stale(seconds) },
        { observed: false, warningCode: 'CONNEXEASE_AGE' },
      );
    }
    await settleWarnings();
    expect(remembered()).toBeLessThanOrEqual(100);
    // Every distinct warning was still emitted; the oldest is forgotten, so it would be emitted again.
    expect(ours().filter((warning) => (warning as { code?: string }).code === 'CONNEXEASE_AGE')).toHaveLength(
      500,
    );
    reportEvent({ type: 'warning', message: stale(0) }, { observed: false, warningCode: 'CONNEXEASE_AGE' });
    await settleWarnings();
    expect(ours()).toHaveLength(501);
  });
});
