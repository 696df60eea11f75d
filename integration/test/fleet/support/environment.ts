import { type MockServer, type MockServerOptions, startMockServer } from '@connexease-kit/mock-server';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Fleet } from './fleet.ts';

/** What every fleet test file shares, whatever its store: the mock API and the running fleets. */
export interface FleetEnvironment {
  readonly mock: MockServer;
  /** Registers a fleet (or anything closable) to be closed after the current test, pass or fail. */
  track<T extends Pick<Fleet, 'close'>>(fleet: T): T;
}

/** What a store adds to a test file's hooks: run before the mock starts, and after the last test. */
export interface StoreHooks {
  before(): Promise<void>;
  after(): Promise<void>;
}

/**
 * Registers the hooks of a fleet test file: `store.before` (fail early when the store does not answer,
 * prepare it), one mock API for the file (with `mockOptions`), every tracked fleet closed after each
 * test, then `store.after`. Tests isolate themselves with a fresh mock user (so a fresh namespace).
 */
export function useMockAndFleets(store: StoreHooks, mockOptions: MockServerOptions = {}): FleetEnvironment {
  let mock: MockServer | undefined;
  const tracked: Array<Pick<Fleet, 'close'>> = [];

  // Generous: a private PostgreSQL runs initdb first, on a loaded 2-core machine.
  beforeAll(async () => {
    await store.before();
    mock = await startMockServer(mockOptions);
  }, 60_000);
  afterEach(async () => {
    const closing = tracked.splice(0);
    await Promise.all(closing.map((fleet) => fleet.close()));
  });
  afterAll(async () => {
    await mock?.close();
    await store.after();
  });

  return {
    get mock() {
      if (mock === undefined) throw new Error('the mock API is not started yet (use it inside a test)');
      return mock;
    },
    track(fleet) {
      tracked.push(fleet);
      return fleet;
    },
  };
}

/**
 * `more` with `env`'s mock and `track`. The mock is read when used (it starts in `beforeAll`), and
 * `more`'s own getters stay getters.
 */
export function extendEnvironment<E extends FleetEnvironment>(
  env: FleetEnvironment,
  more: Omit<E, keyof FleetEnvironment>,
): E {
  return Object.defineProperties(more, {
    mock: { get: () => env.mock, enumerable: true },
    track: { value: env.track, enumerable: true },
  }) as E;
}
