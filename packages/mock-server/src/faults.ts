import type { ServerResponse } from 'node:http';
import { send } from './http.ts';
import { bodyWithoutToken, successBody } from './jwt-bodies.ts';
import type { JwtFaultName } from './types.ts';

const FAULT_NAMES: readonly JwtFaultName[] = [
  '502-html',
  '500',
  '503',
  'hang',
  'reset',
  'truncated-json',
  'no-token',
  'html-200',
];

/** A fault in object form, validated. */
export type QueuedFault = { type: JwtFaultName; issue: boolean } | { type: 'slow'; delayMs: number };

/** Validates a fault and turns a bare name into its object form. */
export function normalizeFault(fault: unknown): QueuedFault {
  const spec: unknown = typeof fault === 'string' ? { type: fault } : fault;
  if (typeof spec !== 'object' || spec === null) throw new TypeError('fault must be a fault name or object');
  const { type, issue, delayMs } = spec as Record<string, unknown>;
  if (type === 'slow') {
    if (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0) {
      throw new TypeError('a slow fault needs delayMs, a finite number >= 0');
    }
    return { type, delayMs };
  }
  if (!FAULT_NAMES.includes(type as JwtFaultName)) {
    throw new TypeError(`unknown fault type; expected slow or one of ${FAULT_NAMES.join(', ')}`);
  }
  if (issue !== undefined && typeof issue !== 'boolean') throw new TypeError('fault.issue must be a boolean');
  return { type: type as JwtFaultName, issue: issue ?? false };
}

/** The answer the fault replaces the real one with. */
export interface FaultContext {
  nowMs: number;
  /** `account.uuid` for bodies that carry one. */
  accountUuid: string;
  /** The token the real processing issued (`issue: true`), if any. */
  issuedToken?: string;
}

/** A JWT-looking placeholder for bodies of faults that issued nothing. Its signature is not valid. */
const PLACEHOLDER_TOKEN =
  'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJ1c2VybmFtZSI6InBsYWNlaG9sZGVyIn0.bm90LWEtcmVhbC1zaWduYXR1cmU';

const BAD_GATEWAY_PAGE =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n';

const HTML_200_PAGE =
  '<!DOCTYPE html>\n<html lang="en">\n<head><meta charset="utf-8"><title>Connexease</title></head>\n<body><h1>We will be back soon</h1></body>\n</html>\n';

/**
 * Plays a fault on `response`. Returns the label stats record for it: the status sent, or `hang` / `reset`.
 */
export function playFault(
  response: ServerResponse,
  fault: Exclude<QueuedFault, { type: 'slow' }>,
  context: FaultContext,
): string {
  const { nowMs } = context;
  switch (fault.type) {
    case '502-html':
      send(response, { status: 502, text: BAD_GATEWAY_PAGE, contentType: 'text/html' }, nowMs);
      return '502';
    case '500':
      send(response, { status: 500, json: { detail: 'A server error occurred.' } }, nowMs);
      return '500';
    case '503':
      send(response, { status: 503 }, nowMs);
      return '503';
    case 'hang':
      return 'hang';
    case 'reset':
      resetSocket(response);
      return 'reset';
    case 'truncated-json': {
      const token = context.issuedToken ?? PLACEHOLDER_TOKEN;
      const full = JSON.stringify(successBody(token, context.accountUuid));
      const cut = full.indexOf(token) + Math.floor(token.length / 2);
      send(response, { status: 200, text: full.slice(0, cut), contentType: 'application/json' }, nowMs);
      return '200';
    }
    case 'no-token':
      send(response, { status: 200, json: bodyWithoutToken(context.accountUuid) }, nowMs);
      return '200';
    case 'html-200':
      send(response, { status: 200, text: HTML_200_PAGE, contentType: 'text/html; charset=utf-8' }, nowMs);
      return '200';
  }
}

/** Drops the connection without an answer: a TCP RST where the platform allows it, else a plain close. */
function resetSocket(response: ServerResponse): void {
  const socket = response.socket;
  if (!socket) return;
  if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}
