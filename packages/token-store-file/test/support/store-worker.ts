import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AuthEvent } from '@connexease-kit/auth-core';
import type { FileTokenStoreOptions } from '../../src/index.ts';

const FIXTURE = new URL('../fixtures/store-worker.ts', import.meta.url);

/** An error a worker's store operation rejected with. */
export interface WorkerError {
  code?: string;
  message?: string;
}

/** A real child process running file token store operations for the test. */
export interface StoreWorker {
  readonly pid: number;
  /** Events the worker's stores emitted, in order. */
  readonly events: AuthEvent[];
  /** Runs `store[method](...args)` in the child on the store made from `options`. */
  call<T>(
    options: FileTokenStoreOptions & { directory: string },
    method: string,
    ...args: unknown[]
  ): Promise<T>;
  /** Sends a signal to the child. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves when the child has exited. */
  readonly exited: Promise<void>;
  /** Ends the child (stdin closed, then SIGKILL if it lingers). */
  stop(): Promise<void>;
}

/** Spawns a worker and waits until it is ready to take commands. */
export async function startStoreWorker(): Promise<StoreWorker> {
  const child: ChildProcess = spawn(process.execPath, [FIXTURE.pathname], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: unknown): void }>();
  const events: AuthEvent[] = [];
  let seq = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => {
    for (const { reject } of pending.values()) reject(new Error(`worker ${child.pid} exited`));
    pending.clear();
  });
  const ready = new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    void exited.then(() => reject(new Error('worker exited before it was ready')));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as {
        ready?: number;
        seq?: number;
        result?: unknown;
        error?: WorkerError;
        event?: AuthEvent;
      };
      if (message.ready !== undefined) resolve();
      if (message.event !== undefined) events.push(message.event);
      if (message.seq === undefined) return;
      const waiter = pending.get(message.seq);
      pending.delete(message.seq);
      if (message.error !== undefined) waiter?.reject(message.error);
      else waiter?.resolve(message.result);
    });
  });
  await ready;
  return {
    pid: child.pid!,
    events,
    call<T>(options: FileTokenStoreOptions & { directory: string }, method: string, ...args: unknown[]) {
      const id = ++seq;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
        child.stdin!.write(`${JSON.stringify({ seq: id, store: options, method, args })}\n`);
      });
    },
    signal: (signal) => child.kill(signal),
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
