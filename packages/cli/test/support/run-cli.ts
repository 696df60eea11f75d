import { PassThrough } from 'node:stream';
import type { CliInput } from '../../src/index.ts';
import { run } from '../../src/index.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  isTTY?: boolean;
  /** What the user types (only read when the CLI prompts). */
  input?: string;
  /** A custom stdin, e.g. a fake terminal with raw mode. */
  stdin?: CliInput;
  signal?: AbortSignal;
  now?: () => number;
}

/** Runs the CLI in-process and captures both streams. The environment is exactly `options.env`. */
export async function runCli(argv: string[], options: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const stdin = options.stdin ?? new PassThrough();
  if (options.input !== undefined && options.stdin === undefined) (stdin as PassThrough).end(options.input);
  const code = await run(argv, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    stdin,
    env: options.env ?? {},
    isTTY: options.isTTY ?? false,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { code, stdout, stderr };
}

/**
 * A stand-in for a terminal: a stream with `setRawMode` that records the modes it was switched to.
 * Whatever is written into it arrives as typed keys.
 */
export class FakeTerminal extends PassThrough {
  readonly rawModes: boolean[] = [];

  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    return this;
  }

  /** Types `keys` once the CLI starts reading. */
  typeWhenRead(keys: string): this {
    this.once('resume', () => {
      setImmediate(() => this.write(keys));
    });
    return this;
  }
}
