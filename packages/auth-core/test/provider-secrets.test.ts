import { inspect } from 'node:util';
import type { TokenProvider } from '@connexease-kit/auth-core';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { recordChannels } from './support/diagnostics.ts';
import {
  advance,
  createFleet,
  drive,
  type Fleet,
  PASSWORD,
  settle,
  useVirtualTime,
} from './support/provider-harness.ts';

let fleet: Fleet;
const consoleOutput: string[] = [];

beforeEach(() => {
  useVirtualTime();
  consoleOutput.length = 0;
  for (const method of ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      consoleOutput.push(
        args.map((arg) => (typeof arg === 'string' ? arg : inspect(arg, { depth: 10 }))).join(' '),
      );
    });
  }
});

afterEach(async () => {
  await fleet?.closeAll();
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** Every way a secret could leak from `value`. */
function renderings(value: unknown): string[] {
  const texts = [
    inspect(value, { depth: 10, showHidden: true }),
    inspect(value, { depth: 10 }),
    String(value),
  ];
  try {
    texts.push(JSON.stringify(value) ?? '');
  } catch {
    // Not serialisable: inspect covers it.
  }
  if (value instanceof Error) {
    texts.push(value.message, value.stack ?? '');
    if (value.cause !== undefined) texts.push(...renderings(value.cause));
  }
  return texts;
}

function secrets(): string[] {
  // Whole tokens, their payload segments (where a claim would show), and the password.
  return [PASSWORD, ...fleet.fake.tokens.flatMap((token) => [token, token.split('.')[1]!])];
}

function expectNoSecretIn(values: unknown[]): void {
  const list = secrets();
  expect(list.length).toBeGreaterThan(1);
  for (const value of values) {
    for (const text of renderings(value)) {
      for (const secret of list) expect(text).not.toContain(secret);
    }
  }
}

async function outcomeOf(promise: Promise<unknown>): Promise<unknown> {
  const outcome = await drive(promise);
  return outcome.ok ? outcome.value : outcome.error;
}

test('no password or token in errors, events, status, the provider or the console, whatever happens', async () => {
  fleet = createFleet({ issuer: { latencyMs: 10 } });
  const channels = recordChannels();
  const seen: unknown[] = [];
  const a = fleet.replica();
  const b = fleet.replica();
  const providers: TokenProvider[] = [a, b];

  // A token issued and served.
  const first = await settle(a.getAuthorization());
  seen.push(await b.status(), await a.status());
  // A 401 for it: refreshed; then a 401 for the new one (the endpoint's: ENDPOINT_REFUSED).
  await advance(5 * 60_000, 60_000);
  const second = await settle(b.handleUnauthorized(first));
  const rejectedAgain = await outcomeOf(b.handleUnauthorized(second));
  expect(rejectedAgain).toMatchObject({ code: 'ENDPOINT_REFUSED' });
  seen.push(rejectedAgain);
  // An outage (502s, then the fleet backoff), and a store outage.
  await advance(2 * 24 * 60 * 60_000, 60 * 60_000);
  fleet.fake.fallback = 502;
  seen.push(await outcomeOf(a.getAuthorization()), await outcomeOf(b.getAuthorization()));
  fleet.control.mode = 'failing';
  seen.push(await outcomeOf(a.status()), await outcomeOf(fleet.replica().getAuthorization()));
  fleet.control.mode = 'normal';
  // Wrong password (401 block) and a ban (403 block) on other namespaces.
  fleet.fake.fallback = 401;
  const wrong = fleet.replica({ credentials: { username: 'jane', password: `${PASSWORD}-jane` } });
  seen.push(
    await outcomeOf(wrong.getAuthorization()),
    await outcomeOf(
      fleet.replica({ credentials: { username: 'jane', password: `${PASSWORD}-jane` } }).getAuthorization(),
    ),
  );
  seen.push(await wrong.status());
  fleet.fake.fallback = '403-banned';
  const banned = fleet.replica({ credentials: { username: 'kim', password: PASSWORD } });
  seen.push(await outcomeOf(banned.getAuthorization()), await banned.status());

  const codes = seen
    .filter((value) => value instanceof Error)
    .map((error) => (error as unknown as { code: string }).code);
  expect(new Set(codes)).toEqual(
    new Set([
      'ENDPOINT_REFUSED',
      'TOKEN_ENDPOINT_UNAVAILABLE',
      'STORE_UNAVAILABLE',
      'INVALID_CREDENTIALS',
      'BLOCKED',
      'AGENT_BANNED',
    ]),
  );
  expect(fleet.fake.tokens.length).toBeGreaterThanOrEqual(2);
  expectNoSecretIn([...seen, ...providers, ...fleet.providers, ...fleet.events]);
  expectNoSecretIn([JSON.stringify(fleet.events)]);
  expectNoSecretIn(consoleOutput);
  // Every diagnostics channel message too: events, and the trace contexts of attempts, waits and store calls.
  channels.stop();
  const kinds = new Set(
    channels.published.map((entry) => entry.channel.replace(/:(start|end|asyncStart|asyncEnd|error)$/, '')),
  );
  expect(kinds).toEqual(
    new Set([
      'connexease-kit:event',
      'tracing:connexease-kit:jwt-issue',
      'tracing:connexease-kit:wait',
      'tracing:connexease-kit:store',
    ]),
  );
  expect(channels.on('tracing:connexease-kit:jwt-issue:error').length).toBeGreaterThan(0);
  expectNoSecretIn(channels.published.map((entry) => entry.message));
  expectNoSecretIn([JSON.stringify(channels.published)]);
  expect(inspect(a)).toMatch(/^TokenProvider \{"mode":"jwt","namespace":"[0-9a-f]{32}"\}$/);
  expect(JSON.parse(JSON.stringify(a))).toEqual({
    mode: 'jwt',
    namespace: expect.stringMatching(/^[0-9a-f]{32}$/),
  });
  // Nothing enumerable on the provider holds a string secret either.
  for (const provider of providers) {
    for (const value of Object.values(provider)) {
      if (typeof value === 'string') expect(secrets()).not.toContain(value);
    }
  }
});
