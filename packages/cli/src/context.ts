import type { TokenStore } from '@connexease-kit/auth-core';
import { namespaceFor } from '@connexease-kit/auth-core/store';
import type { CommandLine } from './args.ts';
import type { CliIo, Output } from './io.ts';
import type { Settings } from './settings.ts';
import { openStore, type StoreDescription } from './store.ts';

/** What every command gets from {@link run}. */
export interface CommandContext {
  io: CliIo;
  output: Output;
  line: CommandLine;
  now: () => number;
}

/** The store opened for one API user's namespace. */
export interface NamespaceHandle {
  store: TokenStore;
  description: StoreDescription;
  /** Computed by `namespaceFor` exactly as the token provider does (mode `'jwt'`). */
  ns: string;
}

/**
 * Opens the chosen store, computes the namespace the services use, runs `task`, and closes the store
 * whatever happens (a close failure is reported only with `--debug`: the command's result stands).
 */
export async function withNamespace<T>(
  context: CommandContext,
  settings: Settings,
  options: { mustExist: boolean },
  task: (handle: NamespaceHandle) => Promise<T>,
): Promise<T> {
  const { output, line } = context;
  const ns = await namespaceFor({ baseUrl: settings.baseUrl, username: settings.username, mode: 'jwt' });
  const debug = line.debug ? (message: string) => output.note(`debug: ${message}`) : undefined;
  const { store, description } = await openStore(settings.store, {
    env: context.io.env,
    warn: (message) => output.note(`warning: ${message}`),
    ...(debug === undefined ? {} : { debug }),
    mustExist: options.mustExist,
  });
  try {
    return await task({ store, description, ns });
  } finally {
    try {
      await store.close();
    } catch (error) {
      debug?.(`closing the store failed: ${(error as Error).message}`);
    }
  }
}
