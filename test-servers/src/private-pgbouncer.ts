import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './redis-process.ts';

/** How to get the binary, for failure messages. */
export const PGBOUNCER_INSTALL_HINT: string =
  'install PgBouncer (Debian/Ubuntu: apt-get install -y pgbouncer; macOS: brew install pgbouncer) so that ' +
  '`pgbouncer` is on PATH or in /usr/sbin';

/** A PgBouncer of one test alone, in front of a PostgreSQL. */
export interface PrivatePgBouncer {
  readonly port: number;
  /** `postgres://<user>@127.0.0.1:<port>/<database>`, through the pooler. */
  readonly url: string;
  close(): Promise<void>;
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
    socket.connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
  });
}

/**
 * Starts PgBouncer on a free port in `pool_mode` (default `transaction`, where `LISTEN` does not work),
 * forwarding every database name to `target` (host, port, user; trust auth).
 */
export async function startPrivatePgBouncer(
  target: { host: string; port: number; user: string; database: string },
  poolMode: 'transaction' | 'session' = 'transaction',
): Promise<PrivatePgBouncer> {
  const dir = await mkdtemp(join(tmpdir(), 'cxk-pgbouncer-'));
  const port = await freePort();
  const ini = join(dir, 'pgbouncer.ini');
  await writeFile(join(dir, 'users.txt'), `"${target.user}" ""\n`);
  await writeFile(
    ini,
    [
      '[databases]',
      `* = host=${target.host} port=${target.port} user=${target.user}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      `unix_socket_dir = ${dir}`,
      'auth_type = trust',
      `auth_file = ${join(dir, 'users.txt')}`,
      `pool_mode = ${poolMode}`,
      'max_client_conn = 500',
      'default_pool_size = 10',
      'ignore_startup_parameters = extra_float_digits,options,application_name',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      '',
    ].join('\n'),
  );
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const owner = isRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
        gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
      }
    : {};
  if (owner.uid !== undefined && owner.gid !== undefined) await chown(dir, owner.uid, owner.gid);
  await chmod(dir, 0o777);
  const binary = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((path) => {
    try {
      execFileSync('test', ['-x', path]);
      return true;
    } catch {
      return false;
    }
  });
  const command = binary ?? 'pgbouncer';
  // As the postgres user when we are root (PgBouncer refuses root): the child is PgBouncer itself.
  const child: ChildProcess = spawn(command, [ini], { stdio: 'ignore', ...owner });
  const spawned = await new Promise<boolean>((resolve) => {
    child.once('error', () => resolve(false));
    child.once('spawn', () => resolve(true));
  });
  if (!spawned) throw new Error(`pgbouncer was not found: ${PGBOUNCER_INSTALL_HINT}.`);
  const deadline = Date.now() + 15_000;
  while (!(await answers(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`pgbouncer did not start on 127.0.0.1:${port} (${PGBOUNCER_INSTALL_HINT})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const stop = (): void => {
    child.kill('SIGTERM');
  };
  process.once('exit', stop);
  return {
    port,
    url: `postgres://${target.user}@127.0.0.1:${port}/${target.database}`,
    async close() {
      process.removeListener('exit', stop);
      stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
