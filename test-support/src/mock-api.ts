import { type MockServer, type MockServerOptions, startMockServer } from '@connexease-kit/mock-server';
import { onTestFinished } from 'vitest';

/** The mock's default API user. */
export const JOHN = { username: 'john.doe', password: 'awesomepassword' } as const;

/** An Account Access Token the tests register with the mock. */
export const ACCESS_TOKEN = 'cxk-test-access-token-0123456789';

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

/** Starts a mock API that is closed when the current test finishes. */
export async function startTestServer(options: MockServerOptions = {}): Promise<MockServer> {
  const server = await startMockServer({ accessTokens: [ACCESS_TOKEN], ...options });
  onTestFinished(() => server.close());
  return server;
}

/**
 * The API host (issues JWTs) and a statistics host that accepts the same JWTs (a shared secret), both
 * closed when the current test finishes.
 */
export async function startTwoHosts(): Promise<{ api: MockServer; stream: MockServer }> {
  const secret = `cxk-two-hosts-${Math.random()}`;
  const api = await startTestServer({ secret });
  const stream = await startMockServer({ secret });
  onTestFinished(() => stream.close());
  return { api, stream };
}
