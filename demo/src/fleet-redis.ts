import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createConnexeaseClient } from '@connexease-kit/http-ky';
import { createRedisTokenStore, redisTokenStoreKeys } from '@connexease-kit/token-store-redis';
import { Redis } from 'ioredis';
import { type ApiTarget, type CallResult, type Fleet, type FleetEvent, kitClientOptions } from './fleet.ts';
import type { FromReplica, ToReplica } from './replica.ts';

const REPLICA_SCRIPT = fileURLToPath(new URL('./replica.ts', import.meta.url));
const CRASHED: CallResult = { ok: false, latencyMs: 0, crashed: true, error: 'crashed' };

/** Thrown when Redis does not answer: the message says how to start one. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

/**
 * connexease-kit replicas as separate Node processes (replica.ts), sharing one Redis through
 * `createRedisTokenStore`: the real fleet setup. The mock API stays in this process and the replicas
 * reach it over HTTP. A crash is a real SIGKILL.
 *
 * Booting Node takes a while on a small machine, so `processes` processes are loaded up front (modules
 * only: no client, no store, no connection) and a replica starts in milliseconds, as a pre-pulled pod
 * would. Its memory is as cold as any new process's. Pass the replicas plus the restarts you plan.
 */
export async function createRedisFleet(
  target: ApiTarget,
  redisUrl: string,
  processes: number,
): Promise<Fleet> {
  const redis = await connectRedis(redisUrl);
  const store = createRedisTokenStore({ redis });
  // Only to read the shared quota for the report and find the namespace to clean up; it never issues.
  const observer = createConnexeaseClient({ ...kitClientOptions(target), store });
  const events: FleetEvent[] = [];
  const children = new Set<ChildProcess>();

  const loadProcess = (): Promise<ChildProcess> => {
    const child = fork(REPLICA_SCRIPT, { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.add(child);
    child.once('exit', () => children.delete(child));
    const loaded = untilMessage(child, 'idle').then(() => child);
    loaded.catch(() => {}); // reported to whoever takes it
    return loaded;
  };
  const spares = Array.from({ length: processes }, loadProcess);
  await Promise.all(spares); // nothing boots while the load runs

  return {
    description: 'connexease-kit: one Node process per replica, sharing one Redis (createRedisTokenStore)',
    events,

    async start(name) {
      const child = await (spares.shift() ?? loadProcess());
      const pending = new Map<number, (result: CallResult) => void>();
      let nextId = 0;
      child.on('message', (message: FromReplica) => {
        if (message.type === 'event')
          events.push({ at: performance.now(), replica: name, event: message.event });
        if (message.type === 'result') {
          pending.get(message.id)?.(message.result);
          pending.delete(message.id);
        }
      });
      child.once('exit', () => {
        for (const resolve of pending.values()) resolve(CRASHED);
        pending.clear();
      });
      const ready = untilMessage(child, 'ready');
      child.send({ type: 'start', target, redisUrl } satisfies ToReplica);
      await ready;
      return {
        name,
        call(path) {
          if (!child.connected) return Promise.resolve(CRASHED);
          nextId += 1;
          const id = nextId;
          const answer = new Promise<CallResult>((resolve) => pending.set(id, resolve));
          child.send({ type: 'call', id, path } satisfies ToReplica);
          return answer;
        },
        crash: () => child.kill('SIGKILL'),
      };
    },

    async quota() {
      const { quota } = await observer.auth.status();
      return quota === null ? null : { used: quota.used, limit: quota.limit };
    },

    async close() {
      await Promise.allSettled(spares);
      await Promise.all([...children].map((child) => stopReplica(child)));
      const { namespace } = await observer.auth.status();
      await observer.auth.close();
      await store.close();
      // The API user was made for this run and is gone with its mock: drop its keys too.
      const { token, lease, fence, quota, block } = redisTokenStoreKeys(namespace);
      await redis.del(token, lease, fence, quota, block);
      await redis.quit();
    },
  };
}

async function connectRedis(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1 });
  const quiet = (): void => {}; // connection errors are reported below, once
  redis.on('error', quiet);
  try {
    await redis.connect();
    await redis.ping();
    redis.off('error', quiet);
    return redis;
  } catch {
    redis.disconnect();
    throw new RedisUnavailableError(
      'Redis is not answering at the --redis URL. Start one with `redis-server` or ' +
        '`docker run --rm -p 6379:6379 redis:7`, then run `pnpm demo -- --redis redis://127.0.0.1:6379`.',
    );
  }
}

/** Resolves when the replica sends `type`; rejects if it exits first. */
function untilMessage(child: ChildProcess, type: FromReplica['type']): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromReplica): void => {
      if (message.type !== type) return;
      child.off('exit', onExit);
      child.off('message', onMessage);
      resolve();
    };
    const onExit = (code: number | null): void => {
      child.off('message', onMessage);
      reject(new Error(`replica process exited (code ${code}) before it was ${type}`));
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Asks a replica to close its client and store; kills it if it has not exited within 5 s. */
async function stopReplica(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  if (child.connected) child.send({ type: 'stop' } satisfies ToReplica);
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
