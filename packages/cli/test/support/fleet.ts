import { createTokenProvider, type TokenProvider, type TokenStore } from '@connexease-kit/auth-core';
import { createJwtIssuer } from '@connexease-kit/http-ky';

/** A service replica as the fleet runs it: the real provider over the shared store, talking to `baseUrl`. */
export function serviceProvider(options: {
  store: TokenStore;
  baseUrl: string;
  username: string;
  password: string;
  limit?: number;
}): TokenProvider {
  return createTokenProvider({
    credentials: { username: options.username, password: options.password },
    baseUrl: options.baseUrl,
    issuer: createJwtIssuer({ baseUrl: options.baseUrl }),
    store: options.store,
    quota: { limit: options.limit ?? 25 },
    retry: { attempts: 1 },
  });
}

/** What one replica does at start-up: get a header (issuing if the store has no token), then shut down. */
export async function serviceStartsOnce(options: Parameters<typeof serviceProvider>[0]): Promise<string> {
  const provider = serviceProvider(options);
  try {
    return await provider.getAuthorization();
  } finally {
    await provider.close();
  }
}

/** Same, for a start-up that is expected to fail (a banned user, a wrong password): returns the error. */
export async function serviceFailsToStart(options: Parameters<typeof serviceProvider>[0]): Promise<unknown> {
  const provider = serviceProvider(options);
  try {
    await provider.getAuthorization();
  } catch (error) {
    return error;
  } finally {
    await provider.close();
  }
  throw new Error('expected the service to fail to get a token');
}
