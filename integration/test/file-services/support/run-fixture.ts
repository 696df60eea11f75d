import { spawn } from 'node:child_process';

/**
 * Runs a fixture script in a new Node.js process and resolves with its stdout; rejects on a non-zero
 * exit. `compileCache` (a directory) lets repeated runs reuse V8's compiled code: restarts get cheap.
 */
export function runFixture(name: string, args: string[], compileCache?: string): Promise<string> {
  const script = new URL(`../fixtures/${name}`, import.meta.url).pathname;
  const env = compileCache === undefined ? process.env : { ...process.env, NODE_COMPILE_CACHE: compileCache };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`${name} exited with ${code ?? signal}:\n${stderr}`));
    });
  });
}
