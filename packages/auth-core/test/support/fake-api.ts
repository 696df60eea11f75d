/**
 * A fake Connexease API for provider tests: it accepts the JWTs a fake issuer handed out unless they were
 * revoked, and some paths refuse every token (an endpoint this API user may not use). `callApi` makes one
 * call the way the ky hooks do: sign it, on a 401 ask the provider and resend once, and report a second 401
 * on the same call with `{ retried: true }`.
 */
import { isConnexeaseAuthError, type TokenProvider } from '@connexease-kit/auth-core';
import type { FakeIssuer } from './provider-harness.ts';

export interface FakeApi {
  /** Makes the API reject this token from now on. */
  revoke(token: string): void;
  /** What the API answers to a call to `path` with this `Authorization` value. */
  answer(path: string, authorization: string): 200 | 401;
  /** Calls answered, by path and status (`'/ok/ 200'`). */
  readonly served: Map<string, number>;
}

/** `refusedPaths` answer 401 to every token: the endpoint refuses the user, whatever the token. */
export function createFakeApi(issuer: FakeIssuer, refusedPaths: readonly string[] = ['/refused/']): FakeApi {
  const revoked = new Set<string>();
  const served = new Map<string, number>();
  return {
    served,
    revoke: (token) => void revoked.add(token),
    answer(path, authorization) {
      const token = authorization.startsWith('JWT ') ? authorization.slice(4) : '';
      const valid = issuer.tokens.includes(token) && !revoked.has(token);
      const status = valid && !refusedPaths.includes(path) ? 200 : 401;
      const key = `${path} ${status}`;
      served.set(key, (served.get(key) ?? 0) + 1);
      return status;
    },
  };
}

/** One API call through `provider` as the ky hooks make it: `'ok'`, or the error code the caller gets. */
export async function callApi(provider: TokenProvider, api: FakeApi, path: string): Promise<string> {
  try {
    const authorization = await provider.getAuthorization();
    if (api.answer(path, authorization) === 200) return 'ok';
    const fresh = await provider.handleUnauthorized(authorization);
    if (api.answer(path, fresh) === 200) return 'ok';
    await provider.handleUnauthorized(fresh, { retried: true });
    return 'RESOLVED_ON_RETRIED_401';
  } catch (error) {
    if (isConnexeaseAuthError(error)) return error.code;
    throw error;
  }
}

/** Counts of each outcome, e.g. `{ ok: 40, ENDPOINT_REFUSED: 2 }`. */
export function countOutcomes(outcomes: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) counts[outcome] = (counts[outcome] ?? 0) + 1;
  return counts;
}
