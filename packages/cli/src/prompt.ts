import { StringDecoder } from 'node:string_decoder';
import { CliError } from './cli-error.ts';
import { EXIT_CODES } from './exit-codes.ts';
import type { CliInput } from './io.ts';

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const BACKSPACE = new Set(['\u007f', '\b']);
const ESCAPE = '\u001b';

/** What a prompt reads from and writes its question to. */
export interface PromptIo {
  stdin: CliInput;
  /** Where the question goes (standard error: standard output stays clean for the command's result). */
  write: (text: string) => void;
  signal?: AbortSignal | undefined;
}

/**
 * Asks a question and reads one line without echo: on a terminal, raw mode is switched on so nothing
 * typed appears, then restored. Handles backspace, Enter, Ctrl-C (interrupted, exit 130) and Ctrl-D.
 * Escape sequences (arrow keys) are ignored.
 */
export function readHidden(question: string, io: PromptIo): Promise<string> {
  const { stdin } = io;
  const raw = typeof stdin.setRawMode === 'function';
  let value: string[] = [];
  let inEscape = false;
  return readWith(io, question, raw, (chunk, done) => {
    for (const char of chunk) {
      if (inEscape) {
        // CSI sequences end with a letter or '~' (arrow keys, Home, Delete…).
        if (/[A-Za-z~]/.test(char)) inEscape = false;
        continue;
      }
      if (ENTER.has(char)) return done(value.join(''));
      if (char === CTRL_C) return done(interrupted());
      if (char === CTRL_D) return done(value.join(''));
      if (BACKSPACE.has(char)) {
        value = value.slice(0, -1);
      } else if (char === ESCAPE) {
        inEscape = true;
      } else if (char >= ' ') {
        value.push(char);
      }
    }
    return undefined;
  });
}

/** Asks a question and reads one line with normal echo (a `y/N` confirmation). */
export function readLine(question: string, io: PromptIo): Promise<string> {
  let text = '';
  return readWith(io, question, false, (chunk, done) => {
    text += chunk;
    const end = text.search(/[\r\n]/);
    return end === -1 ? undefined : done(text.slice(0, end));
  });
}

type Done = (result: string | CliError) => true;

function readWith(
  io: PromptIo,
  question: string,
  raw: boolean,
  onChunk: (chunk: string, done: Done) => true | undefined,
): Promise<string> {
  const { stdin, signal } = io;
  if (signal?.aborted) return Promise.reject(interrupted());
  return new Promise<string>((resolve, reject) => {
    let finished = false;
    // Keeps a multi-byte character split across two chunks whole.
    const decoder = new StringDecoder('utf8');
    const done: Done = (result) => {
      if (finished) return true;
      finished = true;
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      signal?.removeEventListener('abort', onAbort);
      if (raw) stdin.setRawMode?.(false);
      stdin.pause();
      // Raw mode echoes nothing, not even Enter; an interrupted question leaves the cursor after it.
      if (raw || result instanceof CliError) io.write('\n');
      if (result instanceof CliError) reject(result);
      else resolve(result);
      return true;
    };
    const onData = (chunk: Buffer | string): void => {
      onChunk(typeof chunk === 'string' ? chunk : decoder.write(chunk), done);
    };
    // End of input without a newline: what was typed so far is the answer.
    const onEnd = (): void => {
      onChunk('\n', done);
    };
    const onAbort = (): void => {
      done(interrupted());
    };
    io.write(question);
    if (raw) stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    signal?.addEventListener('abort', onAbort, { once: true });
    stdin.resume();
  });
}

function interrupted(): CliError {
  return new CliError(EXIT_CODES.INTERRUPTED, 'interrupted');
}
