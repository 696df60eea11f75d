import type { Readable } from 'node:stream';

/** Standard input as the CLI uses it: a readable stream, and a terminal's raw mode when it has one. */
export type CliInput = Readable & { setRawMode?: (mode: boolean) => unknown };

/**
 * Everything {@link run} touches outside itself, so tests can run the CLI in-process. `cli.ts` passes
 * the real process streams and environment.
 */
export interface CliIo {
  /** Receives standard output (only what a command is for: the report, the header value). */
  stdout: (text: string) => void;
  /** Receives everything else: messages, warnings, prompts, errors. */
  stderr: (text: string) => void;
  /** Read for the password prompt and the `unblock` confirmation, and only when `isTTY`. */
  stdin: CliInput;
  /** Environment variables (`process.env`). */
  env: Record<string, string | undefined>;
  /** Whether standard input is an interactive terminal: prompts are allowed only then. */
  isTTY: boolean;
  /** Aborts the command (Ctrl-C): prompts and waits end, stores are closed, exit code 130. */
  signal?: AbortSignal;
  /** The local clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
}

/**
 * The CLI's output with secrets scrubbed: every text written through it has each registered secret
 * (the password, the Redis URL, a token value) replaced by `[redacted]`, whatever produced the text.
 */
export class Output {
  readonly #io: CliIo;
  readonly #secrets = new Set<string>();

  constructor(io: CliIo) {
    this.#io = io;
  }

  /** Never let `secret` reach the terminal through {@link out} or {@link err}. */
  addSecret(secret: string | undefined): void {
    if (secret !== undefined && secret.length >= 4) this.#secrets.add(secret);
  }

  /** Replaces every registered secret in `text`. */
  scrub(text: string): string {
    let result = text;
    for (const secret of this.#secrets) result = result.replaceAll(secret, '[redacted]');
    return result;
  }

  /** Standard output, scrubbed. */
  out(text: string): void {
    this.#io.stdout(this.scrub(text));
  }

  /** Standard error, scrubbed. */
  err(text: string): void {
    this.#io.stderr(this.scrub(text));
  }

  /** One `connexease-auth: …` line on standard error. */
  note(message: string): void {
    this.err(`connexease-auth: ${message}\n`);
  }

  /**
   * Standard output without scrubbing: only for the `token` command's header value, the one place a
   * secret is the point of the output.
   */
  outSecret(text: string): void {
    this.#io.stdout(text);
  }
}
