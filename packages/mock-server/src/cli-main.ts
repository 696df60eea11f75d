import { CLI_USAGE, parseCliArgs } from './cli-args.ts';
import { startMockServer } from './server.ts';

/** Where the CLI writes, and how it learns it should stop (injectable for tests). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Resolves when the process is asked to stop. */
  stopSignal: Promise<string>;
}

/**
 * Runs `connexease-mock`: prints the URL on stdout (alone on its line, easy to capture), a summary
 * without passwords on stderr, and closes the server when `io.stopSignal` settles. Returns the exit code.
 */
export async function runCli(argv: string[], io: CliIo): Promise<number> {
  let request: ReturnType<typeof parseCliArgs>;
  try {
    request = parseCliArgs(argv);
  } catch (error) {
    io.stderr(`connexease-mock: ${(error as Error).message}\n\n${CLI_USAGE}`);
    return 2;
  }
  if (request.help) {
    io.stdout(CLI_USAGE);
    return 0;
  }
  const options = request.log
    ? { ...request.options, log: (line: string) => io.stderr(`${line}\n`) }
    : request.options;
  let server: Awaited<ReturnType<typeof startMockServer>>;
  try {
    server = await startMockServer(options);
  } catch (error) {
    io.stderr(`connexease-mock: ${(error as Error).message}\n`);
    return 1;
  }
  const users = server.control.listUsers().map((user) => user.username);
  io.stdout(`${server.url}\n`);
  io.stderr(
    `connexease-mock: users ${users.join(', ') || '(none)'}; ` +
      `${options.admin === false ? 'admin routes off' : `admin routes at ${server.url}/__mock__/`}\n`,
  );
  const signal = await io.stopSignal;
  io.stderr(`connexease-mock: ${signal}, closing\n`);
  await server.close();
  return 0;
}
