/**
 * One replica of the service as its own Node process: what every pod of a real deployment runs.
 * fleet-redis.ts forks it and talks to it over IPC. It shares nothing with its siblings except Redis,
 * through `createRedisTokenStore`.
 */
import type { AuthEvent } from '@connexease-kit/auth-core';
import { type ConnexeaseClient, createConnexeaseClient } from '@connexease-kit/http-ky';
import { createRedisTokenStore, type RedisTokenStore } from '@connexease-kit/token-store-redis';
import { type ApiTarget, type CallResult, kitClientOptions, timedCall } from './fleet.ts';

/** Messages from the parent. The password travels over IPC, never on a command line. */
export type ToReplica =
  | { type: 'start'; target: ApiTarget; redisUrl: string }
  | { type: 'call'; id: number; path: string }
  | { type: 'stop' };

/** Messages to the parent. `idle`: loaded, nothing created yet. `ready`: the client exists. */
export type FromReplica =
  | { type: 'idle' }
  | { type: 'ready' }
  | { type: 'result'; id: number; result: CallResult }
  | { type: 'event'; event: AuthEvent };

function send(message: FromReplica): void {
  process.send?.(message);
}

if (process.send === undefined) {
  console.error('replica.ts is started by the demo: node demo/src/main.ts --redis redis://127.0.0.1:6379');
  process.exit(2);
}

let service: { client: ConnexeaseClient; store: RedisTokenStore } | undefined;

process.on('message', async (message: ToReplica) => {
  if (message.type === 'start') {
    // Start-up: create the client (its memory holds no token), then a readiness check. `auth.status()`
    // reads the shared store, so it proves Redis answers, and it never issues or loads a token.
    const store = createRedisTokenStore({ url: message.redisUrl });
    const client = createConnexeaseClient({ ...kitClientOptions(message.target), store });
    client.auth.onEvent((event) => send({ type: 'event', event }));
    service = { client, store };
    await client.auth.status();
    send({ type: 'ready' });
  } else if (message.type === 'call') {
    const api = service?.client.api;
    const result = await timedCall(async () => {
      if (api === undefined) throw new Error('not started');
      await api.get(message.path).json();
    });
    send({ type: 'result', id: message.id, result });
  } else if (message.type === 'stop') {
    await service?.client.auth.close();
    await service?.store.close();
    process.disconnect();
  }
});

// The parent went away (or asked us to stop): a replica has no reason to outlive its orchestrator.
process.on('disconnect', () => process.exit(0));
send({ type: 'idle' });
