import { ConnexeaseAuthError, readEnvConfig, type TokenStore } from '@connexease-kit/auth-core';
import { buildConnexeaseClient, type ConnexeaseClient, type ConnexeaseClientConfig } from './client.ts';

/** Environment variables, as in `process.env`. */
export type EnvSource = Record<string, string | undefined>;

/** What `@connexease-kit/token-store-redis` must export for {@link createConnexeaseClientFromEnv}. */
interface RedisStoreModule {
  createRedisTokenStore(options: { url: string }): TokenStore | Promise<TokenStore>;
}

const REDIS_INSTALL_HINT = 'npm install @connexease-kit/token-store-redis ioredis';

/**
 * Creates {@link createConnexeaseClient} from `CONNEXEASE_*` variables:
 *
 * | variable | meaning |
 * |---|---|
 * | `CONNEXEASE_ACCESS_TOKEN` | Account Access Token (Bearer); or: |
 * | `CONNEXEASE_USERNAME` + `CONNEXEASE_PASSWORD` | API user for the legacy JWT |
 * | `CONNEXEASE_BASE_URL` | API base URL (default `https://api.connexease.com`) |
 * | `CONNEXEASE_REDIS_URL` | share tokens and quota through Redis (`redis://` or `rediss://`) |
 * | `CONNEXEASE_JWT_DAILY_LIMIT` | issues per 24 h, 1 to 30 (default 25) |
 * | `CONNEXEASE_STORE` | `memory` or `redis` (default: `redis` when `CONNEXEASE_REDIS_URL` is set) |
 *
 * With a Redis URL it loads the optional peer `@connexease-kit/token-store-redis` and creates the
 * store from the URL; the client owns that store and closes it (and its connections) in
 * `auth.close()`. `overrides` win over the environment; an `overrides.store` is used instead of
 * creating one, and stays yours to close.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` naming the variable at fault (never its secret value),
 *   or saying how to install the Redis store when it is needed but missing.
 *
 * @example
 * const { api, auth } = await createConnexeaseClientFromEnv();
 */
export async function createConnexeaseClientFromEnv(
  env: EnvSource = processEnv(),
  overrides: Partial<ConnexeaseClientConfig> = {},
): Promise<ConnexeaseClient> {
  return createClientFromEnvWith(env, overrides, () => import('@connexease-kit/token-store-redis'));
}

/**
 * {@link createConnexeaseClientFromEnv} with the Redis store module loader injected. Internal: tests
 * use it to see what happens when the optional peer is not installed.
 */
export async function createClientFromEnvWith(
  env: EnvSource,
  overrides: Partial<ConnexeaseClientConfig>,
  loadRedisStore: () => Promise<RedisStoreModule>,
): Promise<ConnexeaseClient> {
  const fromEnv = readEnvConfig(env);
  const config: ConnexeaseClientConfig = {
    credentials: fromEnv.credentials,
    ...(fromEnv.baseUrl === undefined ? {} : { baseUrl: fromEnv.baseUrl }),
    ...(fromEnv.quota === undefined ? {} : { quota: fromEnv.quota }),
    ...overrides,
  };
  if (overrides.store !== undefined) return buildConnexeaseClient(config, undefined);

  const kind = fromEnv.store ?? (fromEnv.redisUrl === undefined ? 'memory' : 'redis');
  if (kind === 'file') {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      'CONNEXEASE_STORE=file is not supported by createConnexeaseClientFromEnv: create the file store ' +
        'yourself and pass it as overrides.store',
    );
  }
  if (kind === 'memory' || fromEnv.redisUrl === undefined) return buildConnexeaseClient(config, undefined);

  const store = await createRedisStore(fromEnv.redisUrl, loadRedisStore);
  try {
    return buildConnexeaseClient(config, store);
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

async function createRedisStore(url: string, load: () => Promise<RedisStoreModule>): Promise<TokenStore> {
  let module: RedisStoreModule;
  try {
    module = await load();
  } catch (error) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `CONNEXEASE_REDIS_URL is set, but @connexease-kit/token-store-redis (or its peer ioredis) could not be ` +
        `loaded. Install them: ${REDIS_INSTALL_HINT}`,
      { cause: error },
    );
  }
  if (typeof module.createRedisTokenStore !== 'function') {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `@connexease-kit/token-store-redis does not export createRedisTokenStore; install a matching version: ${REDIS_INSTALL_HINT}`,
    );
  }
  return module.createRedisTokenStore({ url });
}

function processEnv(): EnvSource {
  const process = (globalThis as { process?: { env?: EnvSource } }).process;
  return process?.env ?? {};
}
