import { type EnvConfig, readEnvConfig } from '../env-config.ts';
import { ConnexeaseAuthError } from '../errors.ts';
import type { TokenStore } from '../store/contract.ts';
import type { ClientInternals, TransportClientConfig } from './client-auth.ts';
import {
  createFileStore,
  createPostgresStore,
  createRedisStore,
  type StoreLoaders,
} from './store-loaders.ts';

/** Environment variables, as in `process.env`. */
export type EnvSource = Record<string, string | undefined>;

/**
 * The shared body of `createConnexeaseClientFromEnv` and `createConnexeaseFetchFromEnv`: reads the
 * `CONNEXEASE_*` variables (see `readEnvConfig`, plus `CONNEXEASE_STORE_DIR`), lets `overrides` win,
 * creates the Redis, PostgreSQL or file store the environment asks for (JWT mode only, and only without an
 * `overrides.store`), and calls `build` with the config and that store as the client's own. If `build`
 * throws, the store is closed.
 *
 * Which store: `CONNEXEASE_STORE` decides when set; otherwise a Redis URL means Redis, a database URL
 * PostgreSQL and a store directory file (two at once is `CONFIG_INVALID`), and nothing means memory.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` naming the variable at fault (never its secret value),
 *   or saying how to install the store package when it is needed but missing.
 */
export async function buildFromEnv<C extends TransportClientConfig, T>(
  env: EnvSource,
  overrides: Partial<C>,
  loaders: StoreLoaders,
  build: (config: C, internals: ClientInternals) => T,
): Promise<T> {
  const fromEnv = readEnvConfig(env);
  const kind = storeKind(fromEnv, readVariable(env, 'CONNEXEASE_STORE_DIR'));
  const config = {
    credentials: fromEnv.credentials,
    ...(fromEnv.baseUrl === undefined ? {} : { baseUrl: fromEnv.baseUrl }),
    ...(fromEnv.quota === undefined ? {} : { quota: fromEnv.quota }),
    ...overrides,
  } as C;
  const isPassword = !('accessToken' in config.credentials);
  if (overrides.store !== undefined || kind.kind === 'memory' || !isPassword) {
    return build(config, { loadFileStore: loaders.file });
  }

  const { onEvent } = config;
  const events = onEvent === undefined ? {} : { onEvent };
  const store: TokenStore = await createStore(kind, events, loaders);
  try {
    return build(config, { ownedStore: store });
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
}

/** The `process.env` of this runtime, or an empty environment where there is none. */
export function processEnv(): EnvSource {
  const process = (globalThis as { process?: { env?: EnvSource } }).process;
  return process?.env ?? {};
}

type StoreKind =
  | { kind: 'memory' }
  | { kind: 'redis'; url: string; reason: string }
  | { kind: 'postgres'; url: string; reason: string }
  | { kind: 'file'; directory: string | undefined; reason: string };

function createStore(
  kind: Exclude<StoreKind, { kind: 'memory' }>,
  events: { onEvent?: TransportClientConfig['onEvent'] },
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

/** The store the environment asks for. */
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
