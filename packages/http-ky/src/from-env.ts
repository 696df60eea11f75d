import type { StoreLoaders } from '@connexease-kit/auth-core/transport';
import { buildFromEnv, type EnvSource, processEnv } from '@connexease-kit/auth-core/transport';
import { buildConnexeaseClient, type ConnexeaseClient, type ConnexeaseClientConfig } from './client.ts';
import { STORE_LOADERS } from './store-loaders.ts';

export type { EnvSource };

/**
 * Creates {@link createConnexeaseClient} from `CONNEXEASE_*` variables (an empty variable counts as unset):
 *
 * | variable | meaning |
 * |---|---|
 * | `CONNEXEASE_ACCESS_TOKEN` | Account Access Token (Bearer); or: |
 * | `CONNEXEASE_USERNAME` + `CONNEXEASE_PASSWORD` | API user for the legacy JWT |
 * | `CONNEXEASE_BASE_URL` | API base URL (default `https://api.connexease.com`) |
 * | `CONNEXEASE_JWT_DAILY_LIMIT` | issues per 24 h, 1 to 30 (default 25) |
 * | `CONNEXEASE_STORE` | `memory`, `file` or `redis`; when unset: `redis` if `CONNEXEASE_REDIS_URL` is set, `file` if `CONNEXEASE_STORE_DIR` is set (both: `CONFIG_INVALID`), else `memory` |
 * | `CONNEXEASE_REDIS_URL` | the Redis store's `redis://` or `rediss://` URL (required for `redis`) |
 * | `CONNEXEASE_STORE_DIR` | the file store's directory (default `$XDG_CACHE_HOME/connexease-kit`, else `~/.cache/connexease-kit`) |
 *
 * For `redis` and `file` it loads the optional peer (`@connexease-kit/token-store-redis` or
 * `@connexease-kit/token-store-file`) and creates the store; the client owns it and closes it (with
 * its connections or watchers) in `auth.close()`. With an Account Access Token nothing is stored, so
 * no store is created. `overrides` win over the environment; an `overrides.store` replaces the
 * store settings of the environment (a `TokenStore` you pass stays yours to close).
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` naming the variable at fault (never its secret value),
 *   or saying how to install the store package when it is needed but missing.
 *
 * @example
 * const { api, auth } = await createConnexeaseClientFromEnv();
 */
export async function createConnexeaseClientFromEnv(
  env: EnvSource = processEnv(),
  overrides: Partial<ConnexeaseClientConfig> = {},
): Promise<ConnexeaseClient> {
  return createClientFromEnvWith(env, overrides, STORE_LOADERS);
}

/**
 * {@link createConnexeaseClientFromEnv} with the store module loaders injected. Internal: tests use it
 * to see what happens when an optional peer is not installed.
 */
export async function createClientFromEnvWith(
  env: EnvSource,
  overrides: Partial<ConnexeaseClientConfig>,
  loaders: StoreLoaders,
): Promise<ConnexeaseClient> {
  return buildFromEnv(env, overrides, loaders, buildConnexeaseClient);
}
