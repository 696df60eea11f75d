import { answersPing } from './redis-process.ts';

/** The Redis the integration tests share: `REDIS_URL`, or the local default. */
export const SHARED_REDIS_URL: string = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

/** `host:port` of a Redis URL, without credentials (safe for messages). */
function address(url: string): { host: string; port: number } {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 6379) };
}

/**
 * Fails (with how to fix it) when the shared Redis does not answer. Call it in `beforeAll`, so a missing
 * server is one clear failure instead of dozens of STORE_UNAVAILABLE errors.
 */
export async function requireSharedRedis(url: string = SHARED_REDIS_URL): Promise<void> {
  const { host, port } = address(url);
  if (await answersPing(host, port, 2000)) return;
  throw new Error(
    `Redis is not answering on ${host}:${port}: start it with \`redis-server --daemonize yes\` ` +
      '(or `docker run -d -p 6379:6379 redis:7`), or point REDIS_URL at a Redis 7 server.',
  );
}
