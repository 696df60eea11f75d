import { inspect } from 'node:util';
import { expect } from 'vitest';

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
