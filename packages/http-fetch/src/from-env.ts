import {
  buildFromEnv,
  type EnvSource,
  processEnv,
  type StoreLoaders,
} from '@connexease-kit/auth-core/transport';
import { buildConnexeaseFetch, type ConnexeaseFetch, type ConnexeaseFetchConfig } from './client.ts';
import { STORE_LOADERS } from './store-loaders.ts';

export type { EnvSource };

/**
 * Creates {@link createConnexeaseFetch} from `CONNEXEASE_*` variables, exactly as http-ky's
 * `createConnexeaseClientFromEnv` does (an empty variable counts as unset):
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
 * For `redis` and `file` it loads the optional peer and creates the store, which `auth.close()`
 * closes. `overrides` win over the environment.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` naming the variable at fault (never its secret value),
 *   or saying how to install the store package when it is needed but missing.
 *
 * @example
 * const { fetch, auth } = await createConnexeaseFetchFromEnv();
 */
export async function createConnexeaseFetchFromEnv(
  env: EnvSource = processEnv(),
  overrides: Partial<ConnexeaseFetchConfig> = {},
): Promise<ConnexeaseFetch> {
  return createFetchFromEnvWith(env, overrides, STORE_LOADERS);
}

/** {@link createConnexeaseFetchFromEnv} with the store module loaders injected (tests). */
export async function createFetchFromEnvWith(
  env: EnvSource,
  overrides: Partial<ConnexeaseFetchConfig>,
  loaders: StoreLoaders,
): Promise<ConnexeaseFetch> {
  return buildFromEnv(env, overrides, loaders, buildConnexeaseFetch);
}
