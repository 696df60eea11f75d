import {
  ConnexeaseAuthError,
  type EnvConfig,
  readEnvConfig,
  type TokenStore,
} from '@connexease-kit/auth-core';
import { buildConnexeaseClient, type ConnexeaseClient, type ConnexeaseClientConfig } from './client.ts';
import {
  createFileStore,
  createPostgresStore,
  createRedisStore,
  STORE_LOADERS,
  type StoreLoaders,
} from './store-loaders.ts';

/** Environment variables, as in `process.env`. */
export type EnvSource = Record<string, string | undefined>;

/**
 * Creates {@link createConnexeaseClient} from `CONNEXEASE_*` variables (an empty variable counts as unset):
 *
 * | variable | meaning |
 * |---|---|
 * | `CONNEXEASE_ACCESS_TOKEN` | Account Access Token (Bearer); or: |
 * | `CONNEXEASE_USERNAME` + `CONNEXEASE_PASSWORD` | API user for the legacy JWT |
 * | `CONNEXEASE_BASE_URL` | API base URL (default `https://api.connexease.com`) |
 * | `CONNEXEASE_JWT_DAILY_LIMIT` | issues per 24 h, 1 to 30 (default 25) |
 * | `CONNEXEASE_STORE` | `memory`, `file`, `redis` or `postgres`; when unset: `redis` if `CONNEXEASE_REDIS_URL` is set, `postgres` if `CONNEXEASE_DATABASE_URL` is set, `file` if `CONNEXEASE_STORE_DIR` is set (more than one: `CONFIG_INVALID`), else `memory` |
 * | `CONNEXEASE_REDIS_URL` | the Redis store's `redis://` or `rediss://` URL (required for `redis`) |
 * | `CONNEXEASE_DATABASE_URL` | the PostgreSQL store's `postgres://` URL (required for `postgres`) |
 * | `CONNEXEASE_STORE_DIR` | the file store's directory (default `$XDG_CACHE_HOME/connexease-kit`, else `~/.cache/connexease-kit`) |
 *
 * For `redis`, `postgres` and `file` it loads the optional peer (`@connexease-kit/token-store-redis`,
 * `@connexease-kit/token-store-postgres` or `@connexease-kit/token-store-file`) and creates the store; the client owns it and closes it (with
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
  const fromEnv = readEnvConfig(env);
  const kind = storeKind(fromEnv, readVariable(env, 'CONNEXEASE_STORE_DIR'));
  const config: ConnexeaseClientConfig = {
    credentials: fromEnv.credentials,
    ...(fromEnv.baseUrl === undefined ? {} : { baseUrl: fromEnv.baseUrl }),
    ...(fromEnv.quota === undefined ? {} : { quota: fromEnv.quota }),
    ...overrides,
  };
  const isPassword = !('accessToken' in config.credentials);
  if (overrides.store !== undefined || kind.kind === 'memory' || !isPassword) {
    return buildConnexeaseClient(config, { loadFileStore: loaders.file });
  }

  const { onEvent } = config;
  const events = onEvent === undefined ? {} : { onEvent };
  const store: TokenStore = await createStore(kind, events, loaders);
  try {
    return buildConnexeaseClient(config, { ownedStore: store });
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

type StoreKind =
  | { kind: 'memory' }
  | { kind: 'redis'; url: string; reason: string }
  | { kind: 'postgres'; url: string; reason: string }
  | { kind: 'file'; directory: string | undefined; reason: string };

function createStore(
  kind: Exclude<StoreKind, { kind: 'memory' }>,
  events: Pick<ConnexeaseClientConfig, 'onEvent'>,
  loaders: StoreLoaders,
): Promise<TokenStore> {
  switch (kind.kind) {
    case 'redis':
      return createRedisStore({ url: kind.url, ...events }, loaders.redis, kind.reason);
    case 'postgres':
      return createPostgresStore({ connectionString: kind.url, ...events }, loaders.postgres, kind.reason);
    case 'file':
      return createFileStore(
        { ...(kind.directory === undefined ? {} : { directory: kind.directory }), ...events },
        loaders.file,
        kind.reason,
      );
  }
}

/**
 * The store the environment asks for. `CONNEXEASE_STORE` decides when set; otherwise a Redis URL means
 * Redis, a database URL PostgreSQL and a store directory file (two at once is ambiguous), and nothing
 * means memory.
 */
function storeKind(fromEnv: EnvConfig, directory: string | undefined): StoreKind {
  const { store, redisUrl, databaseUrl } = fromEnv;
  const sources = [
    redisUrl === undefined ? undefined : 'CONNEXEASE_REDIS_URL',
    databaseUrl === undefined ? undefined : 'CONNEXEASE_DATABASE_URL',
    directory === undefined ? undefined : 'CONNEXEASE_STORE_DIR',
  ].filter((name) => name !== undefined);
  if (store === undefined && sources.length > 1) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `${sources.join(' and ')} are set: set CONNEXEASE_STORE to redis, postgres or file`,
    );
  }
  if (store === 'postgres' || (store === undefined && databaseUrl !== undefined)) {
    // readEnvConfig already refused CONNEXEASE_STORE=postgres without a URL.
    const reason = store === 'postgres' ? 'CONNEXEASE_STORE is postgres' : 'CONNEXEASE_DATABASE_URL is set';
    return { kind: 'postgres', url: databaseUrl ?? '', reason };
  }
  if (store === 'file' || (store === undefined && directory !== undefined)) {
    const reason = store === 'file' ? 'CONNEXEASE_STORE is file' : 'CONNEXEASE_STORE_DIR is set';
    return { kind: 'file', directory, reason };
  }
  // readEnvConfig already refused CONNEXEASE_STORE=redis without a URL.
  if (redisUrl !== undefined && (store === 'redis' || store === undefined)) {
    const reason = store === 'redis' ? 'CONNEXEASE_STORE is redis' : 'CONNEXEASE_REDIS_URL is set';
    return { kind: 'redis', url: redisUrl, reason };
  }
  return { kind: 'memory' };
}

/** A variable's value without surrounding blanks; empty (or blank) counts as unset, as in `readEnvConfig`. */
function readVariable(env: EnvSource, name: string): string | undefined {
  const value = env[name];
  const trimmed = typeof value === 'string' ? value.trim() : '';
  return trimmed === '' ? undefined : trimmed;
}

function processEnv(): EnvSource {
  const process = (globalThis as { process?: { env?: EnvSource } }).process;
  return process?.env ?? {};
}
