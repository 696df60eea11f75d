import type { IncomingMessage, ServerResponse } from 'node:http';
import { playFault, type QueuedFault } from './faults.ts';
import { BodyTooLargeError, readBody, send } from './http.ts';
import { decideJwt, type JwtDecision } from './jwt-decision.ts';
import type { RouteContext } from './route-context.ts';
import { stableUuid } from './stable-uuid.ts';
import type { MockState } from './state.ts';

/** `account.uuid` in fault bodies that issued nothing. */
const PLACEHOLDER_ACCOUNT_UUID = stableUuid('placeholder account');

/**
 * `/jwt/`: only POST (405 otherwise). Each POST takes the next queued fault, if any: `slow` delays the
 * normal answer; the others replace it, after real processing when the fault says `issue: true`.
 * Without a replacing fault, a canned response for `/jwt/` wins over the rules of `decideJwt`.
 */
export async function handleJwt(
  context: RouteContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const { state, sleeper } = context;
  const method = request.method ?? 'GET';
  state.stats.jwtArrived();
  const finish = (outcome: string, username?: string): void => {
    state.stats.jwtOutcome(outcome);
    context.log(`${method} /jwt/ ${outcome}${username === undefined ? '' : ` ${username}`}`);
  };

  let bodyText: string;
  try {
    bodyText = await readBody(request);
  } catch (error) {
    if (!(error instanceof BodyTooLargeError)) return; // the client went away mid-body
    send(response, { status: 413, json: { detail: 'Request body too large.' } }, state.now());
    finish('413');
    return;
  }

  if (method !== 'POST') {
    await sleeper.sleep(state.config.latencyMs);
    const detail = `Method "${method}" not allowed.`;
    send(response, { status: 405, json: { detail }, headers: { Allow: 'POST' } }, state.now());
    finish('405');
    return;
  }

  const fault = state.faults.shift();
  if (fault?.type === 'slow') await sleeper.sleep(fault.delayMs);
  await sleeper.sleep(state.config.latencyMs);
  const replacing = fault && fault.type !== 'slow' ? fault : undefined;

  if (replacing && !replacing.issue) {
    finish(playFault(response, replacing, { nowMs: state.now(), accountUuid: PLACEHOLDER_ACCOUNT_UUID }));
    return;
  }
  if (!replacing) {
    const canned = state.canned.take('/jwt/', method, false);
    if (canned) {
      send(response, canned, state.now());
      finish(String(canned.status));
      return;
    }
  }

  const decision = await decideJwt(state, bodyText);
  if (replacing) {
    finish(playFaultAfterIssue(state, response, replacing, decision), decision.username);
    return;
  }
  send(response, decision.reply, state.now());
  finish(String(decision.reply.status), decision.username);
}

/** Plays a fault that replaces the answer after the real processing (`issue: true`); returns the outcome. */
function playFaultAfterIssue(
  state: MockState,
  response: ServerResponse,
  fault: Exclude<QueuedFault, { type: 'slow' }>,
  decision: JwtDecision,
): string {
  const user = decision.username === undefined ? undefined : state.users.find(decision.username);
  return playFault(response, fault, {
    nowMs: state.now(),
    accountUuid: user?.accountUuid ?? PLACEHOLDER_ACCOUNT_UUID,
    ...(decision.token === undefined ? {} : { issuedToken: decision.token }),
  });
}
