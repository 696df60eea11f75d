import { inspect } from 'node:util';
import { type MockServer, type MockServerOptions, startMockServer } from '@connexease-kit/mock-server';
import { expect, onTestFinished } from 'vitest';

/** The mock's default API user. */
export const JOHN = { username: 'john.doe', password: 'awesomepassword' } as const;

/** An Account Access Token the tests register with the mock. */
export const ACCESS_TOKEN = 'cxk-test-access-token-0123456789';

/** Starts a mock API that is closed when the current test finishes. */
export async function startTestServer(options: MockServerOptions = {}): Promise<MockServer> {
  const server = await startMockServer({ accessTokens: [ACCESS_TOKEN], ...options });
  onTestFinished(() => server.close());
  return server;
}

/** Runs `action` and returns what it threw (fails the test when it does not throw). */
export async function caught(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the action to throw');
}

/** Asserts none of `secrets` appears in the error's message, `util.inspect` (causes included) or JSON. */
export function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  const views = [
    inspect(value, { depth: 8, showHidden: false }),
    safeJson(value),
    value instanceof Error ? `${value.message} ${value.stack ?? ''}` : String(value),
  ];
  for (const secret of secrets) {
    for (const view of views) expect(view).not.toContain(secret);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}

/** Options that keep provider retries quick in tests (the production backoff is 0.5 s to 10 s). */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } as const;

/** What the mock API echoes for an API call. */
export interface Echo {
  ok: boolean;
  method: string;
  path: string;
  scheme: string;
  username?: string;
  body?: unknown;
}
