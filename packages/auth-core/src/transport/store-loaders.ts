import type { AuthEventListener } from '../diagnostics/events.ts';
import { ConnexeaseAuthError } from '../errors.ts';
import type { TokenStore } from '../store/contract.ts';

/** What `@connexease-kit/token-store-redis` must export. */
export interface RedisStoreModule {
  createRedisTokenStore(options: { url: string; onEvent?: AuthEventListener }): TokenStore;
}

/** What `@connexease-kit/token-store-file` must export. */
export interface FileStoreModule {
  createFileTokenStore(options?: { directory?: string; onEvent?: AuthEventListener }): TokenStore;
}

/** What `@connexease-kit/token-store-postgres` must export. */
export interface PostgresStoreModule {
  createPostgresTokenStore(options: { connectionString: string; onEvent?: AuthEventListener }): TokenStore;
}

/**
 * How the optional store packages are loaded. They are optional peers of a transport (http-ky,
 * http-fetch), so each transport imports them dynamically, only when asked for, from its own location
 * (`import('@connexease-kit/token-store-redis')`); tests inject failing loaders.
 */
export interface StoreLoaders {
  redis: () => Promise<RedisStoreModule>;
  file: () => Promise<FileStoreModule>;
  postgres: () => Promise<PostgresStoreModule>;
}

const REDIS_INSTALL = 'install them: npm install @connexease-kit/token-store-redis ioredis';
const FILE_INSTALL = 'install it: npm install @connexease-kit/token-store-file';
const POSTGRES_INSTALL = 'install them: npm install @connexease-kit/token-store-postgres pg';

/**
 * Creates the Redis store for `url`, which the caller then owns.
 *
 * @param reason What asked for it (e.g. `CONNEXEASE_REDIS_URL is set`), for the error message.
 * @throws ConnexeaseAuthError `CONFIG_INVALID` saying how to install the package when it cannot be loaded.
 */
export async function createRedisStore(
  options: { url: string; onEvent?: AuthEventListener },
  load: StoreLoaders['redis'],
  reason: string,
): Promise<TokenStore> {
  const module = await loadStoreModule(
    load,
    '@connexease-kit/token-store-redis (or its peer ioredis)',
    reason,
    REDIS_INSTALL,
  );
  if (typeof module.createRedisTokenStore !== 'function')
    throw notExported('token-store-redis', 'createRedisTokenStore', REDIS_INSTALL);
  return module.createRedisTokenStore(options);
}

/**
 * Creates the file store (in `options.directory`, else its default directory), which the caller then owns.
 *
 * @param reason What asked for it (e.g. `CONNEXEASE_STORE is file`), for the error message.
 * @throws ConnexeaseAuthError `CONFIG_INVALID` saying how to install the package when it cannot be
 *   loaded, or naming the bad option (from `createFileTokenStore`).
 */
export async function createFileStore(
  options: { directory?: string; onEvent?: AuthEventListener },
  load: StoreLoaders['file'],
  reason: string,
): Promise<TokenStore> {
  const module = await loadStoreModule(load, '@connexease-kit/token-store-file', reason, FILE_INSTALL);
  if (typeof module.createFileTokenStore !== 'function')
    throw notExported('token-store-file', 'createFileTokenStore', FILE_INSTALL);
  return module.createFileTokenStore(options);
}

/**
 * Creates the PostgreSQL store for `connectionString`, which the caller then owns.
 *
 * @param reason What asked for it (e.g. `CONNEXEASE_STORE is postgres`), for the error message.
 * @throws ConnexeaseAuthError `CONFIG_INVALID` saying how to install the package when it cannot be loaded.
 */
export async function createPostgresStore(
  options: { connectionString: string; onEvent?: AuthEventListener },
  load: StoreLoaders['postgres'],
  reason: string,
): Promise<TokenStore> {
  const module = await loadStoreModule(
    load,
    '@connexease-kit/token-store-postgres (or its peer pg)',
    reason,
    POSTGRES_INSTALL,
  );
  if (typeof module.createPostgresTokenStore !== 'function')
    throw notExported('token-store-postgres', 'createPostgresTokenStore', POSTGRES_INSTALL);
  return module.createPostgresTokenStore(options);
}

async function loadStoreModule<T>(
  load: () => Promise<T>,
  name: string,
  reason: string,
  install: string,
): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `${reason}, but ${name} could not be loaded; ${install}`,
      { cause: error },
    );
  }
}

function notExported(name: string, factory: string, install: string): ConnexeaseAuthError {
  return new ConnexeaseAuthError(
    'CONFIG_INVALID',
    `@connexease-kit/${name} does not export ${factory}; install a matching version (${install})`,
  );
}
