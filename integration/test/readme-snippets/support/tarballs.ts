import { execFile } from 'node:child_process';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const PNPM = ['--yes', 'pnpm@12.21.0'];

/** The published packages a README install line may name; each is packed from this checkout. */
export const PACKED = [
  'auth-core',
  'token-store-memory',
  'token-store-file',
  'token-store-redis',
  'http-ky',
  'http-fetch',
] as const;

/** Child processes use the Node running the tests (24), whatever `node` the system PATH has first. */
export const childEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
};

/**
 * The packages whose `dist` is missing or older than a source file. Only those are rebuilt, so this
 * never rewrites a `dist` that tests running in parallel may be loading after `pnpm test` built it.
 */
async function staleBuilds(repoRoot: string): Promise<string[]> {
  const stale: string[] = [];
  for (const name of PACKED) {
    const dir = join(repoRoot, 'packages', name);
    const built = await stat(join(dir, 'dist', 'index.js')).catch(() => undefined);
    const sources = await readdir(join(dir, 'src'), { recursive: true });
    let newest = 0;
    for (const file of sources) newest = Math.max(newest, (await stat(join(dir, 'src', file))).mtimeMs);
    if (built === undefined || built.mtimeMs < newest) stale.push(name);
  }
  return stale;
}

/** Builds what is stale and `pnpm pack`s every package of {@link PACKED}: package name → tarball path. */
export async function packTarballs(repoRoot: string, destination: string): Promise<Map<string, string>> {
  const stale = await staleBuilds(repoRoot);
  if (stale.length > 0) {
    const filters = stale.flatMap((name) => ['--filter', `@connexease-kit/${name}`]);
    await run('npx', [...PNPM, ...filters, 'build'], { cwd: repoRoot, env: childEnv });
  }
  await mkdir(destination, { recursive: true });
  const tarballs = new Map<string, string>();
  for (const name of PACKED) {
    const { stdout } = await run('npx', [...PNPM, 'pack', '--pack-destination', destination], {
      cwd: join(repoRoot, 'packages', name),
      env: childEnv,
    });
    const file = stdout.trim().split('\n').at(-1)?.trim() ?? '';
    tarballs.set(`@connexease-kit/${name}`, file.startsWith('/') ? file : join(destination, file));
  }
  return tarballs;
}
