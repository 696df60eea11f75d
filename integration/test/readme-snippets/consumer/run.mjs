/**
 * Runs one README snippet (argv[2]) as the consumer's own module, then reports on stdout how many signed
 * API calls it made and exits: a snippet that leaves a connection open (a Redis client, a SIGTERM
 * handler) must not keep the test waiting.
 */
import { pathToFileURL } from 'node:url';

try {
  await import(pathToFileURL(process.argv[2]).href);
} catch (error) {
  const code = typeof error?.code === 'string' ? ` [${error.code}]` : '';
  console.error(`SNIPPET_FAILED${code} ${error?.stack ?? error}`);
  process.exit(1);
}
console.log(`SNIPPET_RESULT ${JSON.stringify({ calls: globalThis.__snippetCounter?.calls ?? 0 })}`);
process.exit(0);
