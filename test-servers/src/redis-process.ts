import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** How to get the binaries, for failure messages. */
export const INSTALL_HINT: string =
  'install Redis 7 (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) so that ' +
  '`redis-server` and `redis-cli` are on PATH';

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves true when `host:port` answers PING within `timeoutMs` (PONG, or NOAUTH from a server with a password). */
export function answersPing(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const finish = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.on('error', () => finish(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) finish(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

/** Polls until `host:port` answers PING, or throws after `timeoutMs`. */
export async function waitForPing(host: string, port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answersPing(host, port, 500)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`redis-server on ${host}:${port} did not answer PING within ${timeoutMs} ms`);
}

/** Every child we started, killed if the test process exits without tearing down. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Starts `redis-server <args>` in the foreground; resolves once it is spawned (not yet listening). */
export function spawnRedisServer(args: readonly string[], cwd: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('redis-server', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new Error(`redis-server was not found: ${INSTALL_HINT}.`)
          : new Error(`redis-server failed to start: ${error.message}`),
      );
    });
    child.once('spawn', () => {
      running.add(child);
      child.once('exit', () => running.delete(child));
      resolve(child);
    });
    child.once('exit', (code) => {
      if (code !== 0 && code !== null && stderr.length > 0) {
        // Surfaces configuration errors (a bad flag) instead of a bare PING timeout.
        process.stderr.write(`redis-server exited with ${code}: ${stderr}\n`);
      }
    });
  });
}

/** Stops a child: SIGTERM, then SIGKILL if it has not exited after `graceMs`. */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export function makeTempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}
