import { context, type Span, type SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { ATTR } from './attributes.ts';
import { errorCode, errorStatus } from './channel-names.ts';

/** The span names this package starts. */
export const SPAN_NAMES = {
  jwtIssue: 'connexease POST /jwt/',
  wait: 'connexease wait for token',
} as const;

/** Starts a span as a child of whatever is active where the traced call began. */
export function startSpan(
  tracer: Tracer,
  name: string,
  kind: SpanKind,
  attributes: Record<string, string | number>,
): Span {
  return tracer.startSpan(name, { kind, attributes }, context.active());
}

/** Ends `span` with the call's outcome: OK, or ERROR with the error's code (and HTTP status). */
export function endSpan(span: Span, error: unknown): void {
  if (error !== undefined) {
    const code = errorCode(error);
    span.setAttribute(ATTR.errorType, code);
    const status = errorStatus(error);
    if (status !== undefined) span.setAttribute(ATTR.httpStatus, status);
    // connexease-kit's error messages never hold a secret (guarantee 8).
    const message = error instanceof Error ? error.message : code;
    span.setStatus({ code: SpanStatusCode.ERROR, message });
  }
  span.end();
}
