import { stat } from 'node:fs/promises';
import { type AuthEvent, ConnexeaseAuthError, type TokenStore } from '@connexease-kit/auth-core';
import type { StoreChoice } from './settings.ts';

/** An open store and how to describe it (never with the Redis URL, which may hold a password). */
export interface OpenedStore {
  store: TokenStore;
  /** For output: `{ kind: 'redis' }`, `{ kind: 'postgres' }` or `{ kind: 'file', directory }` (absolute). */
  description: StoreDescription;
}

export type StoreDescription = { kind: 'redis' } | { kind: 'postgres' } | { kind: 'file'; directory: string };

export interface OpenStoreOptions {
  env: Record<string, string | undefined>;
  /** Store warnings (Redis eviction policy, loose directory permissions). */
  warn: (message: string) => void;
  /** Debug lines, only with `--debug`. */
  debug?: (message: string) => void;
  /**
   * Fail if the file store's directory does not exist yet: reading commands would otherwise report an
   * empty store for a mistyped path (and create the directory as a side effect).
   */
  mustExist: boolean;
}

/**
 * Opens the chosen store the same way the services do: `createRedisTokenStore({ url })` or
 * `createPostgresTokenStore({ connectionString })` (the store owns its connections and closes them with
 * `store.close()`), or `createFileTokenStore({ directory })`. Reading commands never create PostgreSQL
 * tables (`migrate: false` when `mustExist`). The store
 * packages are loaded on demand, so `--help` does not load ioredis.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` for a file store directory that does not exist (when
 *   `mustExist`) or is not a directory.
 */
export async function openStore(choice: StoreChoice, options: OpenStoreOptions): Promise<OpenedStore> {
  if (choice.kind === 'redis') {
    const { createRedisTokenStore } = await import('@connexease-kit/token-store-redis');
    const store = createRedisTokenStore({
      url: choice.url,
      // A connection that never came up is dropped at once on close, not after ioredis's default 2 s.
      redisOptions: { disconnectTimeout: 100 },
      // One command and exit: a start-up check would print its warning or not depending on timing.
      startupChecks: false,
      logger: { warn: options.warn, ...(options.debug === undefined ? {} : { debug: options.debug }) },
    });
    return { store, description: { kind: 'redis' } };
  }
  if (choice.kind === 'postgres') {
    const { createPostgresTokenStore } = await import('@connexease-kit/token-store-postgres');
    const store = createPostgresTokenStore({
      connectionString: choice.url,
      migrate: !options.mustExist,
      maxConnections: 2,
      logger: { warn: options.warn, ...(options.debug === undefined ? {} : { debug: options.debug }) },
    });
    return { store, description: { kind: 'postgres' } };
  }
  const { createFileTokenStore, defaultDirectory } = await import('@connexease-kit/token-store-file');
  const directory = choice.directory ?? defaultDirectory(options.env);
  if (options.mustExist) await checkDirectory(directory);
  const store = createFileTokenStore({
    directory,
    // One command, a handful of reads: no need for a directory watcher.
    watch: false,
    onEvent: (event: AuthEvent) => {
      if (event.type === 'warning') options.warn(event.message);
      else if (event.type === 'store-error')
        options.debug?.(`store error in ${event.operation}: ${event.message}`);
    },
  });
  return { store, description: { kind: 'file', directory: store.directory } };
}

async function checkDirectory(directory: string): Promise<void> {
  let isDirectory: boolean;
  try {
    isDirectory = (await stat(directory)).isDirectory();
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') {
      throw new ConnexeaseAuthError(
        'CONFIG_INVALID',
        `the file store directory ${directory} does not exist: no service on this host has used it yet, ` +
          'or the services use another directory (pass it with --file DIR)',
      );
    }
    throw new ConnexeaseAuthError(
      'STORE_UNAVAILABLE',
      `could not read the file store directory ${directory}`,
      { cause: error },
    );
  }
  if (!isDirectory) {
    throw new ConnexeaseAuthError('CONFIG_INVALID', `the file store path ${directory} is not a directory`);
  }
}
