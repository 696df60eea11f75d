import { DIAGNOSTICS_CHANNELS } from '@connexease-kit/auth-core/diagnostics';
import { expect, it } from 'vitest';
import { CHANNELS } from '../src/channel-names.ts';

// otel has no runtime dependency on auth-core: it repeats the channel names, and this keeps them equal.
it('listens on the channels auth-core publishes on', () => {
  expect(CHANNELS).toEqual({
    event: DIAGNOSTICS_CHANNELS.event,
    jwtIssue: DIAGNOSTICS_CHANNELS.jwtIssue,
    wait: DIAGNOSTICS_CHANNELS.wait,
  });
});
