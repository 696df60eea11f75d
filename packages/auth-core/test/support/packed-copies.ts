import { execFile } from 'node:child_process';
import { cp, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('../../', import.meta.url));
/** Child processes use the Node running the tests (24), whatever `node` the system PATH has first. */
export const childEnv: NodeJS.ProcessEnv = {
  ...process.env,
  PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`,
};

/**
 * Fails with how to fix it when auth-core's `dist` is missing or older than a source file. It never
 * builds: other test files load that `dist` in parallel, and rewriting it mid-run would break them.
 * `pnpm test` builds every package before vitest starts.
 */
export async function assertAuthCoreBuilt(): Promise<void> {
  const built = await stat(join(packageDir, 'dist', 'index.js')).catch(() => undefined);
  const sources = await readdir(join(packageDir, 'src'), { recursive: true });
  let newest = 0;
  for (const file of sources) newest = Math.max(newest, (await stat(join(packageDir, 'src', file))).mtimeMs);
  if (built !== undefined && built.mtimeMs >= newest) return;
  const state = built === undefined ? 'has no dist' : 'has a dist older than its sources';
  throw new Error(
    `@connexease-kit/auth-core ${state}: run \`pnpm build\` first (or \`pnpm test\`, which builds before vitest).`,
  );
}

/**
 * Packs the built auth-core as `version` (from a copy, so the workspace manifest is never touched) and
 * returns the tarball's path: what a registry would serve for that version.
 */
export async function packAuthCoreAs(version: string, workDir: string): Promise<string> {
  const copy = join(workDir, `auth-core-${version}`);
  await mkdir(copy, { recursive: true });
  await cp(join(packageDir, 'dist'), join(copy, 'dist'), { recursive: true });
  const manifest = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as Record<
    string,
    unknown
  >;
  await writeFile(join(copy, 'package.json'), JSON.stringify({ ...manifest, version, scripts: {} }, null, 2));
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', workDir], {
    cwd: copy,
    env: childEnv,
  });
  const [packed] = JSON.parse(stdout) as { filename: string }[];
  if (packed === undefined) throw new Error(`npm pack printed no tarball: ${stdout}`);
  return join(workDir, packed.filename);
}

/** Installs `dependencies` (name → tarball path) into a fresh ESM project at `dir` with plain npm. */
export async function installConsumer(dir: string, dependencies: Record<string, string>): Promise<void> {
  await mkdir(dir, { recursive: true });
  const deps = Object.fromEntries(Object.entries(dependencies).map(([name, path]) => [name, `file:${path}`]));
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: deps }),
  );
  // auth-core has no dependencies, so nothing here needs the registry.
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: dir,
    env: childEnv,
  });
}

/** Runs `source` as an ES module in `dir` with the test's Node; resolves with its stdout. */
export async function runModule(dir: string, source: string): Promise<string> {
  const file = join(dir, 'main.js');
  await writeFile(file, source);
  const { stdout } = await run(process.execPath, [file], { cwd: dir, env: childEnv });
  return stdout;
}
