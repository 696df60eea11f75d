import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** How to get the binaries, for failure messages. */
export const POSTGRES_INSTALL_HINT: string =
  'install PostgreSQL 12 or newer (Debian/Ubuntu: apt-get install -y postgresql; macOS: brew install postgresql) ' +
  'so that initdb and pg_ctl are found (on PATH or in /usr/lib/postgresql/<version>/bin)';

/** The directory holding `initdb` and `pg_ctl`: the newest /usr/lib/postgresql/<v>/bin, else PATH. */
export function postgresBinDir(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((name) => existsSync(`${root}/${name}/bin/pg_ctl`))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return `${root}/${versions[0]}/bin`;
  }
  return undefined;
}

function binary(name: 'initdb' | 'pg_ctl'): string {
  const dir = postgresBinDir();
  return dir === undefined ? name : `${dir}/${name}`;
}

/**
 * Runs `initdb` or `pg_ctl`. PostgreSQL refuses to run as root, so as root (CI, these machines) the
 * command runs as the `postgres` user through `runuser`.
 */
export async function runPostgresTool(
  name: 'initdb' | 'pg_ctl',
  args: readonly string[],
): Promise<{ stdout: string; stderr: string }> {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const [command, argv] = isRoot
    ? ['runuser', ['-u', 'postgres', '--', binary(name), ...args]]
    : [binary(name), [...args]];
  try {
    return await run(command, argv, { timeout: 60_000 });
  } catch (error) {
    const { code, stderr } = error as { code?: unknown; stderr?: string };
    if (code === 'ENOENT') throw new Error(`${name} was not found: ${POSTGRES_INSTALL_HINT}.`);
    throw new Error(`${name} ${args[0] ?? ''} failed: ${stderr?.trim() || (error as Error).message}`);
  }
}
