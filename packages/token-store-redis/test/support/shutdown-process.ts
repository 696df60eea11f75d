import { spawn } from 'node:child_process';

/** Generous: the point is that the process exits at all, not how fast. */
export const EXIT_DEADLINE_MS = 10_000;
const FIXTURE = new URL('../fixtures/store-shutdown.ts', import.meta.url).pathname;

/** Runs fixtures/store-shutdown.ts; resolves with how it ended, killing it if it is still alive at the deadline. */
export function runShutdown(config: {
  url?: string;
  sentinel?: { sentinels: Array<{ host: string; port: number }>; name: string };
  mode: 'owned' | 'caller-quit' | 'caller-all';
}): Promise<{ exited: boolean; code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { ...process.env, CXK_SHUTDOWN: JSON.stringify(config) };
    delete env.NODE_OPTIONS;
    const child = spawn(process.execPath, [FIXTURE], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    let exited = true;
    // The fixture needs a few seconds to start and run before its shutdown: the deadline counts from there.
    const timer = setTimeout(() => {
      exited = false;
      child.kill('SIGKILL');
    }, 30_000 + EXIT_DEADLINE_MS);
    let closedAt: number | undefined;
    child.stdout.on('data', () => {
      if (closedAt !== undefined || !output.includes('closed')) return;
      closedAt = Date.now();
      clearTimeout(timer);
      setTimeout(() => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        exited = false;
        child.kill('SIGKILL');
      }, EXIT_DEADLINE_MS);
    });
    child.once('error', reject);
    child.once('exit', (code) => resolve({ exited, code, output }));
  });
}
