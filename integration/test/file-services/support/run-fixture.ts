import { spawn } from 'node:child_process';
import { collectOutput } from '../../support/child-output.ts';

/**
 * Runs a fixture script in a new Node.js process and resolves with its stdout; rejects on a non-zero
 * exit. `compileCache` (a directory) lets repeated runs reuse V8's compiled code: restarts get cheap.
 */
export async function runFixture(name: string, args: string[], compileCache?: string): Promise<string> {
  const script = new URL(`../fixtures/${name}`, import.meta.url).pathname;
  const env = compileCache === undefined ? process.env : { ...process.env, NODE_COMPILE_CACHE: compileCache };
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const { code, signal, stdout, stderr } = await collectOutput(child);
  if (code !== 0) throw new Error(`${name} exited with ${code ?? signal}:\n${stderr}`);
  return stdout;
}
