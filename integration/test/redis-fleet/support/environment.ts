import { type MockServer, type MockServerOptions, startMockServer } from '@connexease-kit/mock-server';
import { requireSharedRedis, SHARED_REDIS_URL } from '@connexease-kit/test-servers';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { Fleet } from '../../fleet/support/fleet.ts';

/** What a fleet test file shares: the mock API, a client of the shared Redis, the running fleets. */
export interface FleetEnvironment {
  readonly mock: MockServer;
  /** A client of the shared Redis, for inspecting what the fleet left there. */
  readonly redis: Redis;
  /** `REDIS_URL`, or the local default. */
  readonly redisUrl: string;
  /** Registers a fleet (or anything closable) to be closed after the current test, pass or fail. */
  track<T extends Pick<Fleet, 'close'>>(fleet: T): T;
}

/**
 * Registers the hooks of a fleet test file: fails early (with how to start it) when the shared Redis
 * does not answer, starts one mock API for the file (with `mockOptions`), and closes every tracked fleet after each test.
 * Tests isolate themselves with a fresh mock user (so a fresh namespace) rather than resets.
 */
export function useFleetEnvironment(mockOptions: MockServerOptions = {}): FleetEnvironment {
  let mock: MockServer | undefined;
  let redis: Redis | undefined;
  const tracked: Array<Pick<Fleet, 'close'>> = [];

  beforeAll(async () => {
    await requireSharedRedis();
    mock = await startMockServer(mockOptions);
    redis = new Redis(SHARED_REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterEach(async () => {
    const closing = tracked.splice(0);
    await Promise.all(closing.map((fleet) => fleet.close()));
  });
  afterAll(async () => {
    await mock?.close();
    redis?.disconnect();
  });

  return {
    get mock() {
      if (mock === undefined) throw new Error('the mock API is not started yet (use it inside a test)');
      return mock;
    },
    get redis() {
      if (redis === undefined) throw new Error('the Redis client is not ready yet (use it inside a test)');
      return redis;
    },
    redisUrl: SHARED_REDIS_URL,
    track(fleet) {
      tracked.push(fleet);
      return fleet;
    },
  };
}
