import type { IncomingMessage, ServerResponse } from 'node:http';

/** Largest request body the mock reads (1 MiB); bigger ones get 413. */
export const MAX_BODY_BYTES: number = 1024 * 1024;

/** Thrown by `readBody` when the body exceeds `MAX_BODY_BYTES`. */
export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
}

/** Reads the whole request body as UTF-8. Rejects when the client goes away or the body is too large. */
export async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const buffer = chunk as Buffer;
    size += buffer.byteLength;
    if (size > MAX_BODY_BYTES) throw new BodyTooLargeError('Request body too large');
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One complete HTTP answer. `json` wins over `text`; neither means an empty body. */
export interface Reply {
  status: number;
  json?: unknown;
  text?: string;
  /** For `text`; default `text/plain; charset=utf-8`. */
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * Writes `reply` with a `Date` header from the server clock (so clients can measure skew against it)
 * and an exact `Content-Length`. Does nothing if the socket is already gone.
 */
export function send(response: ServerResponse, reply: Reply, nowMs: number): void {
  if (response.headersSent || response.destroyed) return;
  let body: string | undefined;
  let contentType: string | undefined;
  if (reply.json !== undefined) {
    body = JSON.stringify(reply.json);
    contentType = 'application/json';
  } else if (reply.text !== undefined) {
    body = reply.text;
    contentType = reply.contentType ?? 'text/plain; charset=utf-8';
  }
  const headers: Record<string, string | number> = {
    Date: new Date(nowMs).toUTCString(),
    'Content-Length': body === undefined ? 0 : Buffer.byteLength(body),
  };
  if (contentType) headers['Content-Type'] = contentType;
  Object.assign(headers, reply.headers);
  response.writeHead(reply.status, headers);
  response.end(body);
}

/** Parses a request body: `empty` for no body, `json` when it parses, `invalid` with the parser's message. */
export type ParsedBody =
  | { kind: 'empty' }
  | { kind: 'json'; value: unknown }
  | { kind: 'invalid'; text: string; error: string };

export function parseJsonBody(text: string): ParsedBody {
  if (text.trim() === '') return { kind: 'empty' };
  try {
    return { kind: 'json', value: JSON.parse(text) };
  } catch (error) {
    return { kind: 'invalid', text, error: (error as Error).message };
  }
}
