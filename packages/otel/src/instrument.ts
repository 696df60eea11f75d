import {
  subscribe,
  type TracingChannelSubscribers,
  tracingChannel,
  unsubscribe,
} from 'node:diagnostics_channel';
import {
  type MeterProvider,
  metrics,
  SpanKind,
  type Tracer,
  type TracerProvider,
  trace,
} from '@opentelemetry/api';
import { ATTR } from './attributes.ts';
import {
  CHANNELS,
  errorCode,
  type IssueContext,
  type ObservedEvent,
  type WaitContext,
} from './channel-names.ts';
import { createMetrics, type MetricsRecorder } from './metrics.ts';
import { endSpan, SPAN_NAMES, startSpan } from './spans.ts';

/** Options of {@link instrumentConnexease}. */
export interface InstrumentConnexeaseOptions {
  /** Where the metrics go. Default: the global meter provider (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProvider;
  /** Where the spans go. Default: the global tracer provider (`trace.getTracerProvider()`). */
  tracerProvider?: TracerProvider;
}

/** Stops an instrumentation: unsubscribes from the channels and stops reporting its gauges. Idempotent. */
export type Uninstrument = () => void;

const SCOPE = '@connexease-kit/otel';

/** What one traced call keeps between its `start` and its `asyncEnd`. */
interface Running {
  span: ReturnType<typeof startSpan>;
  startedAt: number;
}

/**
 * Subscribes to connexease-kit's diagnostics channels and turns them into OpenTelemetry metrics and
 * spans, for every token provider in the process (created before or after this call):
 *
 * - gauges per API user (attribute `connexease.namespace`, a hash, never the user name):
 *   `connexease.quota.used`, `.limit`, `.remaining`; `connexease.token.refresh_in` and `.expires_in`
 *   (seconds); `connexease.blocked` (1 while blocked, with `connexease.block.code`);
 * - `connexease.jwt.attempts`, a counter of `POST /jwt/` attempts by `connexease.outcome` (`issued`
 *   or the error code);
 * - `connexease.wait.duration`, a histogram (seconds) of callers waiting for a token;
 * - `connexease.store.errors`, a counter of failed store calls by `connexease.store.operation`, and
 *   `connexease.store.resets`, a counter of stores found to have forgotten records (guarantee 10);
 * - one span per `POST /jwt/` attempt (`connexease POST /jwt/`) and per wait (`connexease wait for token`).
 *
 * Nothing recorded holds a password, a token or an `Authorization` value.
 *
 * @example
 * const uninstrument = instrumentConnexease({ meterProvider, tracerProvider });
 * // … later, on shutdown:
 * uninstrument();
 */
export function instrumentConnexease(options: InstrumentConnexeaseOptions = {}): Uninstrument {
  const meterProvider = options.meterProvider ?? metrics.getMeterProvider();
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const recorder = createMetrics(meterProvider.getMeter(SCOPE));
  const running = new WeakMap<object, Running>();

  const onEvent = (message: unknown): void => {
    if (isObservedEvent(message)) recorder.event(message);
  };

  const issue = tracingChannel<unknown, IssueContext>(CHANNELS.jwtIssue);
  const issueHandlers = issueSpanHandlers(tracer, running);

  const wait = tracingChannel<unknown, WaitContext>(CHANNELS.wait);
  const waitHandlers = waitSpanHandlers(tracer, running, recorder);

  subscribe(CHANNELS.event, onEvent);
  issue.subscribe(issueHandlers);
  wait.subscribe(waitHandlers);

  let active = true;
  return () => {
    if (!active) return;
    active = false;
    unsubscribe(CHANNELS.event, onEvent);
    issue.unsubscribe(issueHandlers);
    wait.unsubscribe(waitHandlers);
    recorder.dispose();
  };
}

function issueSpanHandlers(
  tracer: Tracer,
  running: WeakMap<object, Running>,
): TracingChannelSubscribers<IssueContext> {
  return withNoops<IssueContext>({
    start(message: IssueContext): void {
      const span = startSpan(tracer, SPAN_NAMES.jwtIssue, SpanKind.CLIENT, {
        [ATTR.namespace]: message.ns,
        [ATTR.attempt]: message.attempt,
      });
      running.set(message, { span, startedAt: performance.now() });
    },
    asyncEnd(message: IssueContext): void {
      const call = running.get(message);
      if (call === undefined) return;
      running.delete(message);
      endSpan(call.span, message.error);
    },
  });
}

function waitSpanHandlers(
  tracer: Tracer,
  running: WeakMap<object, Running>,
  recorder: MetricsRecorder,
): TracingChannelSubscribers<WaitContext> {
  return withNoops<WaitContext>({
    start(message: WaitContext): void {
      const attributes: Record<string, string> = { [ATTR.waitReason]: message.reason };
      if (message.ns !== null) attributes[ATTR.namespace] = message.ns;
      const span = startSpan(tracer, SPAN_NAMES.wait, SpanKind.INTERNAL, attributes);
      running.set(message, { span, startedAt: performance.now() });
    },
    asyncEnd(message: WaitContext): void {
      const call = running.get(message);
      if (call === undefined) return;
      running.delete(message);
      const seconds = (performance.now() - call.startedAt) / 1000;
      const outcome = message.error === undefined ? 'token' : errorCode(message.error);
      const attributes: Record<string, string> = {
        [ATTR.waitReason]: message.reason,
        [ATTR.outcome]: outcome,
      };
      // The namespace of a first call is known only once it ends.
      if (message.ns !== null) {
        attributes[ATTR.namespace] = message.ns;
        call.span.setAttribute(ATTR.namespace, message.ns);
      }
      recorder.wait(seconds, attributes);
      endSpan(call.span, message.error);
    },
  });
}

const EVENT_TYPES: ReadonlySet<string> = new Set([
  'issued',
  'refreshed',
  'reused-from-store',
  'issue-failed',
  'quota-reserved',
  'quota-low',
  'quota-exhausted',
  'blocked',
  'unblocked',
  'store-error',
  'store-reset',
]);

/** A provider event this package reads: a known type with a namespace. */
function isObservedEvent(message: unknown): message is ObservedEvent {
  if (typeof message !== 'object' || message === null) return false;
  const { type, ns } = message as { type?: unknown; ns?: unknown };
  return typeof type === 'string' && EVENT_TYPES.has(type) && typeof ns === 'string';
}

const noop = (): void => {};

/** A full handler set (the types want every one) from the two this package uses. */
function withNoops<C extends object>(
  handlers: Pick<TracingChannelSubscribers<C>, 'start' | 'asyncEnd'>,
): TracingChannelSubscribers<C> {
  return { end: noop, asyncStart: noop, error: noop, ...handlers };
}
