/**
 * One replica of bench/multi-tenant.ts: a Node process holding one Redis store and one
 * `createConnexeaseClient` per API user, all on that store, as a SaaS serving its customers would.
 * Driven by the parent over IPC (`process.send`); run with `--expose-gc` so heap figures are after a
 * full collection. Never run on its own.
 */
import { type ConnexeaseClient, createConnexeaseClient } from '@connexease-kit/http-ky';
import { createRedisTokenStore } from '@connexease-kit/token-store-redis';

/** What the parent asks. */
export type ReplicaCommand =
  | { type: 'create' }
  | { type: 'run'; requestsPerUser: number; concurrency: number; users?: number[] }
  | { type: 'close' };

/** What a `create` answers: the cost of the idle providers. */
export interface CreateReport {
  type: 'created';
  heapBytesBefore: number;
  heapBytesAfter: number;
  timersBefore: number;
  timersAfter: number;
}

/** What a `run` answers. */
export interface RunReport {
  type: 'ran';
  ok: number;
  failed: number;
  firstError?: string;
  ms: number;
  /** Heap after the run, after a full collection. */
  heapBytes: number;
  /** Active `Timeout` handles once the run is over and the providers are idle again. */
  timersIdle: number;
  /** Users (by index) that had each kind of provider event during the run. */
  usersWith: Record<string, number[]>;
}

const { REDIS_URL, MOCK_URL, USERS, REPLICA } = process.env;
const users = Number(USERS);
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

const store = createRedisTokenStore({
  url: REDIS_URL!,
  redisOptions: { connectionName: `multi-tenant-replica-${REPLICA}` },
});
const clients: ConnexeaseClient[] = [];
let events = new Map<string, Set<number>>();

/** Heap after full collections, with turns in between so finalizers (undici's abort listeners) run. */
async function heapBytes(): Promise<number> {
  for (let round = 0; round < 4; round++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage().heapUsed;
}

function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

/** The mock's users are `tenant-<i>` with password `pw-<i>`, for i in 0 … USERS - 1. */
async function createClients(): Promise<CreateReport> {
  const heapBytesBefore = await heapBytes();
  const timersBefore = timers();
  for (let index = 0; index < users; index++) {
    clients.push(
      createConnexeaseClient({
        baseUrl: MOCK_URL!,
        credentials: { username: `tenant-${index}`, password: `pw-${index}` },
        store,
        // A revoked token is refreshed at once in this run, whatever its age.
        // Ten replicas and the mock share two cores: an answer may queue for seconds.
        timeoutMs: 60_000,
        onEvent: (event) => {
          const seen = events.get(event.type) ?? new Set<number>();
          events.set(event.type, seen.add(index));
        },
      }),
    );
  }
  return {
    type: 'created',
    heapBytesBefore,
    heapBytesAfter: await heapBytes(),
    timersBefore,
    timersAfter: timers(),
  };
}

async function run(command: Extract<ReplicaCommand, { type: 'run' }>): Promise<RunReport> {
  events = new Map();
  const targets = command.users ?? clients.map((_, index) => index);
  const queue = targets.flatMap((index) => Array.from({ length: command.requestsPerUser }, () => index));
  let next = 0;
  let ok = 0;
  let failed = 0;
  let firstError: string | undefined;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: command.concurrency }, async () => {
      while (next < queue.length) {
        const index = queue[next++]!;
        try {
          await clients[index]!.api.get('tenant/').json();
          ok++;
        } catch (error) {
          failed++;
          firstError ??= `${(error as Error).name}: ${(error as Error).message}`;
        }
      }
    }),
  );
  const ms = performance.now() - started;
  // Let what the run started (unsubscribes, timer clean-ups) settle before counting what stays.
  await new Promise((resolve) => setTimeout(resolve, 300));
  const usersWith = Object.fromEntries(
    [...events].map(([type, seen]) => [type, [...seen].sort((a, b) => a - b)]),
  );
  const report: RunReport = {
    type: 'ran',
    ok,
    failed,
    ms,
    heapBytes: await heapBytes(),
    timersIdle: timers(),
    usersWith,
  };
  if (firstError !== undefined) report.firstError = firstError;
  return report;
}

async function close(): Promise<void> {
  await Promise.all(clients.map((client) => client.auth.close()));
  await store.close();
}

process.on('message', async (command: ReplicaCommand) => {
  if (command.type === 'create') process.send!(await createClients());
  else if (command.type === 'run') process.send!(await run(command));
  else {
    await close();
    process.send!({ type: 'closed' }, () => process.exit(0));
  }
});
process.send!({ type: 'ready' });
