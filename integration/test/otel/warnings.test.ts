import { createTokenProvider, type TokenProviderOptions } from '@connexease-kit/auth-core';
import { instrumentConnexease } from '@connexease-kit/otel';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';

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

describe('@connexease-kit/otel and warnings', () => {
  it('an instrumented process with no onEvent still gets every warning on process.on("warning")', async () => {
    onTestFinished(instrumentConnexease());
    const store = createMemoryTokenStore();
    const provider = createTokenProvider({
      credentials: { username: 'svc-user', password: 'svc-password' },
      issuer: () => Promise.reject(new Error('never called')),
      store,
      otelWarningProbe: 1,
    } as unknown as TokenProviderOptions);
    onTestFinished(async () => {
      await provider.close();
      await store.close();
    });
    await settleWarnings();
    expect(warnings).toMatchObject([
      { code: 'CONNEXEASE_WARNING', message: expect.stringContaining('unknown option "otelWarningProbe"') },
    ]);
  });
});
