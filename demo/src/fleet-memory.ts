import { type ConnexeaseClient, createConnexeaseClient } from '@connexease-kit/http-ky';
import { createMemoryTokenStore } from '@connexease-kit/token-store-memory';
import { type ApiTarget, type Fleet, type FleetEvent, kitClientOptions, timedCall } from './fleet.ts';

/**
 * connexease-kit replicas inside this process. Each replica is its own `createConnexeaseClient`, with
 * its own token provider and its own in-memory copy of the token, exactly like a separate process;
 * what they share is ONE `TokenStore`. In one process that is the memory store; across processes and
 * hosts it is Redis (see fleet-redis.ts), and the code is the same.
 */
export function createMemoryFleet(target: ApiTarget): Fleet {
  const store = createMemoryTokenStore();
  const events: FleetEvent[] = [];
  const clients: ConnexeaseClient[] = [];
  // Only to read the shared quota for the report: it never asks for a token, so it never issues.
  const observer = createConnexeaseClient({ ...kitClientOptions(target), store });

  return {
    description:
      'connexease-kit: in-process replicas, one createConnexeaseClient each, sharing one memory store',
    events,

    async start(name) {
      const client = createConnexeaseClient({ ...kitClientOptions(target), store });
      client.auth.onEvent((event) => events.push({ at: performance.now(), replica: name, event }));
      clients.push(client);
      await client.auth.status(); // readiness: the store answers (it never issues or loads a token)
      // A crash takes the process's memory with it: in-flight calls are aborted and the client is
      // dropped without `auth.close()`, so nothing is released. (`close()` below tidies up at the end.)
      const alive = new AbortController();
      return {
        name,
        call: (path) => timedCall(() => client.api.get(path, { signal: alive.signal }).json(), alive.signal),
        crash: () => alive.abort(),
      };
    },

    async quota() {
      const { quota } = await observer.auth.status();
      return quota === null ? null : { used: quota.used, limit: quota.limit };
    },

    async close() {
      await Promise.all([observer, ...clients].map((client) => client.auth.close()));
      await store.close();
    },
  };
}
