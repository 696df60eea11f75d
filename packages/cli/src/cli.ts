#!/usr/bin/env node
import { assertSupportedNode } from '@connexease-kit/auth-core/transport';
import { run } from './run.ts';

// First, so auth-core (which checks the Node.js version as it loads) runs before any other dependency.
assertSupportedNode();

// Ctrl-C ends prompts and waits cleanly (stores closed, exit 130); a second one kills at once.
const interrupt = new AbortController();
process.once('SIGINT', () => interrupt.abort());

const code = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
  env: process.env,
  isTTY: Boolean(process.stdin.isTTY),
  signal: interrupt.signal,
});
process.exitCode = code;
// Everything is closed by now; if a client library still holds a socket or timer, do not hold the shell.
setTimeout(() => process.exit(code), 1000).unref();
