import type { AuthEvent } from '@connexease-kit/auth-core';
import { DIAGNOSTICS_CHANNELS } from '@connexease-kit/auth-core/diagnostics';
import { expect, expectTypeOf, it } from 'vitest';
import { CHANNELS, type ObservedEvent } from '../src/channel-names.ts';

// otel has no runtime dependency on auth-core: it repeats the channel names, and this keeps them equal.
it('listens on the channels auth-core publishes on', () => {
  expect(CHANNELS).toEqual({
    event: DIAGNOSTICS_CHANNELS.event,
    jwtIssue: DIAGNOSTICS_CHANNELS.jwtIssue,
    wait: DIAGNOSTICS_CHANNELS.wait,
  });
});

// Checked by the compiler (pnpm typecheck): every field the metrics read is on auth-core's event.
it('reads only fields that auth-core events of those types carry', () => {
  expectTypeOf<Extract<AuthEvent, { type: ObservedEvent['type'] }>>().toExtend<ObservedEvent>();
});
