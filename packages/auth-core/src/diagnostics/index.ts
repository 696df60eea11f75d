/**
 * `@connexease-kit/auth-core/diagnostics`: for instrumentation (`@connexease-kit/otel`, your APM): the
 * names of the `diagnostics_channel`s the provider publishes on, and the contexts of its traces.
 * None of them carries a secret. Services that only listen for events use `onEvent` instead.
 *
 * @packageDocumentation
 */
import { assertSupportedNode } from '../node-version.ts';

// As the main entry does: on an older Node.js this entry fails at once, naming the version needed.
assertSupportedNode();

export {
  DIAGNOSTICS_CHANNELS,
  type JwtIssueTraceContext,
  type StoreTraceContext,
  type WaitTraceContext,
} from './diagnostics.ts';
