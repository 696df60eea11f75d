import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AuthEvent, AuthStatus } from '@connexease-kit/auth-core';
import { collectOutput } from '../../support/child-output.ts';
import type { ReplicaCommand, ReplicaConfig, ReplicaMessage, RequestTally } from './protocol.ts';

/** The replica fixture every fleet test and benchmark runs. */
export const REPLICA_FIXTURE: string = new URL('../fixtures/replica.ts', import.meta.url).pathname;

/** How long a replica may take to start and warm up; generous, for a loaded 2-core machine. */
const READY_TIMEOUT_MS = 60_000;

/** Every child started here, killed if the test process exits without tearing down. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Environment for fixture processes: V8's compile cache makes repeated starts cheap. */
export function fixtureEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  env.NODE_COMPILE_CACHE ??= `${process.env.TMPDIR ?? '/tmp'}/cxk-fleet-compile-cache`;
  // Vitest's own variables would make the fixture believe it runs inside a test worker.
  delete env.VITEST;
  delete env.VITEST_WORKER_ID;
  delete env.VITEST_POOL_ID;
  delete env.NODE_OPTIONS;
  return env;
}

type Reply = Extract<ReplicaMessage, { type: 'reply' }>;
/** A command as `call` takes it: the id is added there. */
type CommandWithoutId<T = Exclude<ReplicaCommand, { op: 'exit' }>> = T extends unknown
  ? Omit<T, 'id'>
  : never;
type StoreTrace = Extract<ReplicaMessage, { type: 'store' }>;

/**
 * One replica process (fixtures/replica.ts) and everything it reported. Commands go to its stdin;
 * replies are matched by id. Events and store traces are kept in arrival order.
 */
export class ReplicaProcess {
  readonly config: ReplicaConfig;
  readonly child: ChildProcess;
  /** Provider events, with the replica's time of emission. */
  readonly events: Array<{ at: number; event: AuthEvent }> = [];
  readonly storeTraces: StoreTrace[] = [];
  /** The namespace the replica derived (from its `ready` message). */
  namespace = '';
  readonly ready: Promise<void>;
  /** Resolves when the process has exited, however it ended. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  #stderr = '';
  #nextId = 0;
  readonly #pending = new Map<string, { resolve: (reply: Reply) => void; reject: (error: Error) => void }>();
  readonly #listeners = new Set<() => void>();

  constructor(config: ReplicaConfig) {
    this.config = config;
    const child = spawn(process.execPath, [REPLICA_FIXTURE], {
      env: fixtureEnv({ CXK_FLEET_REPLICA: JSON.stringify(config) }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    running.add(child);
    child.stderr?.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-8000);
    });
    // A replica that dies makes writes to its stdin fail; the exit is reported on its own.
    child.stdin?.on('error', () => {});
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        running.delete(child);
        const error = new Error(`replica ${config.name} exited (${code ?? signal})${this.describeStderr()}`);
        for (const pending of this.#pending.values()) pending.reject(error);
        this.#pending.clear();
        resolve({ code, signal });
        this.#notify();
      });
    });
    let markReady: () => void = () => {};
    let failReady: (error: Error) => void = () => {};
    this.ready = new Promise<void>((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    const timer = setTimeout(
      () => failReady(new Error(`replica ${config.name} not ready within ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
    void this.exited.then(() => failReady(new Error(`replica ${config.name} exited before it was ready`)));
    void this.ready.then(
      () => clearTimeout(timer),
      () => clearTimeout(timer),
    );

    createInterface({ input: child.stdout! }).on('line', (line) => {
      let message: ReplicaMessage;
      try {
        message = JSON.parse(line) as ReplicaMessage;
      } catch {
        this.#stderr += `\n[stdout] ${line}`;
        return;
      }
      this.#receive(message, markReady);
    });
  }

  #receive(message: ReplicaMessage, markReady: () => void): void {
    switch (message.type) {
      case 'ready':
        this.namespace = message.namespace;
        markReady();
        break;
      case 'event':
        this.events.push({ at: message.at, event: message.event });
        break;
      case 'store':
        this.storeTraces.push(message);
        break;
      case 'reply': {
        const pending = this.#pending.get(message.id);
        this.#pending.delete(message.id);
        pending?.resolve(message);
        break;
      }
      case 'fatal':
        this.#stderr += `\n[fatal] ${message.message}`;
        break;
    }
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener();
  }

  describeStderr(): string {
    const text = this.#stderr.trim();
    return text === '' ? '' : `; its stderr:\n${text}`;
  }

  get name(): string {
    return this.config.name;
  }

  /** Whether the process is still running. */
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Writes one command line (no reply expected). */
  send(command: ReplicaCommand): void {
    this.child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  /** Sends a command with a fresh id and resolves with the reply; a failed command rejects. */
  async call<T extends Reply>(command: CommandWithoutId): Promise<T> {
    const id = `${command.op}-${this.#nextId++}`;
    const reply = await new Promise<Reply>((resolve, reject) => {
      if (!this.alive) {
        reject(new Error(`replica ${this.name} is not running`));
        return;
      }
      this.#pending.set(id, { resolve, reject });
      this.send({ ...command, id } as ReplicaCommand);
    });
    if ('error' in reply) {
      throw new Error(`replica ${this.name}: ${command.op} failed with ${JSON.stringify(reply.error)}`);
    }
    return reply as T;
  }

  /** Sends a command with an id chosen by the caller (for `busy` runs stopped later) and no waiting. */
  start(command: Extract<ReplicaCommand, { op: 'busy' }>): void {
    this.send(command);
  }

  /** Stops a busy run and resolves with its tally. */
  async stop(id: string): Promise<RequestTally> {
    const reply = await new Promise<Reply>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.send({ op: 'stop', id });
    });
    if ('error' in reply)
      throw new Error(`replica ${this.name}: stop failed with ${JSON.stringify(reply.error)}`);
    return (reply as { tally: RequestTally }).tally;
  }

  /** `requests` concurrent calls to `path` (default `some/endpoint/`), each retried for `retryForMs`. */
  async burst(requests: number, retryForMs?: number, path?: string): Promise<RequestTally> {
    const reply = await this.call<Extract<Reply, { tally: RequestTally }>>({
      op: 'burst',
      requests,
      ...(retryForMs === undefined ? {} : { retryForMs }),
      ...(path === undefined ? {} : { path }),
    });
    return reply.tally;
  }

  /** A busy run of `durationMs`; resolves with its tally when it is over. */
  async busy(workers: number, pauseMs: number, durationMs: number): Promise<RequestTally> {
    const reply = await this.call<Extract<Reply, { tally: RequestTally }>>({
      op: 'busy',
      workers,
      pauseMs,
      durationMs,
    });
    return reply.tally;
  }

  async status(): Promise<AuthStatus> {
    return (await this.call<Extract<Reply, { status: AuthStatus }>>({ op: 'status' })).status;
  }

  async unblock(): Promise<void> {
    await this.call({ op: 'unblock' });
  }

  async authorization(): Promise<string> {
    return (await this.call<Extract<Reply, { authorization: string }>>({ op: 'authorization' }))
      .authorization;
  }

  /** Resolves once `check()` holds (checked now and after every message), or rejects after `timeoutMs`. */
  until(check: () => boolean, description: string, timeoutMs = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const listener = (): void => {
        if (!check()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`replica ${this.name}: ${description} did not happen within ${timeoutMs} ms`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.#listeners.delete(listener);
      };
      this.#listeners.add(listener);
      listener();
    });
  }

  /** Provider events of one type. */
  eventsOf<T extends AuthEvent['type']>(type: T): Array<Extract<AuthEvent, { type: T }>> {
    return this.events
      .map(({ event }) => event)
      .filter((event): event is Extract<AuthEvent, { type: T }> => event.type === type);
  }

  /** Asks the replica to close its client and store and exit; kills it if it has not after `graceMs`. */
  async close(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    this.send({ op: 'exit' });
    this.child.stdin?.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child.kill(signal);
  }
}

/**
 * Runs a one-shot fixture (e.g. fixtures/one-request.ts) with `config` and resolves with the JSON
 * line it printed; rejects if it exits with an error.
 */
export async function runOnce<T>(fixture: string, config: ReplicaConfig): Promise<T> {
  const script = new URL(`../fixtures/${fixture}`, import.meta.url).pathname;
  const child = spawn(process.execPath, [script], {
    env: fixtureEnv({ CXK_FLEET_REPLICA: JSON.stringify(config) }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  const { code, signal, stdout, stderr } = await collectOutput(child).finally(() => running.delete(child));
  if (code !== 0) throw new Error(`${fixture} (${config.name}) exited with ${code ?? signal}:\n${stderr}`);
  try {
    return JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as T;
  } catch {
    throw new Error(`${fixture} (${config.name}) printed no JSON line: ${stdout}\n${stderr}`);
  }
}
