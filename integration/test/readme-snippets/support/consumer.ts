import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { childEnv } from './tarballs.ts';

const run = promisify(execFile);
const consumerFiles = fileURLToPath(new URL('../consumer/', import.meta.url));

/** How a consumer project installs: plain npm (hoisted), or pnpm (strict: only direct dependencies resolve). */
export type PackageManager = 'npm' | 'pnpm';

/** A consumer project with exactly the packages of one install line. */
export interface Consumer {
  manager: PackageManager;
  dir: string;
  install: readonly string[];
}

/**
 * Makes a project in `dir` whose dependencies are exactly `install` (our packages from the tarballs,
 * others from the npm registry at their latest version), with our packages' own dependencies on each
 * other overridden to the tarballs too, and installs it with `manager`. It also gets the prelude and
 * runner that run snippets in it.
 */
export async function createConsumer(
  manager: PackageManager,
  dir: string,
  install: readonly string[],
  tarballs: ReadonlyMap<string, string>,
): Promise<Consumer> {
  await mkdir(dir, { recursive: true });
  const fromTarball = (name: string) => `file:${tarballs.get(name)}`;
  const dependencies = Object.fromEntries(
    install.map((name) => [name, tarballs.has(name) ? fromTarball(name) : 'latest']),
  );
  const overrides = Object.fromEntries([...tarballs.keys()].map((name) => [name, fromTarball(name)]));
  const manifest = {
    name: `readme-consumer-${manager}`,
    private: true,
    type: 'module',
    dependencies,
    ...(manager === 'npm' ? { overrides } : {}),
  };
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (manager === 'pnpm') {
    const lines = Object.entries(overrides).map(([name, spec]) => `  '${name}': '${spec}'`);
    await writeFile(join(dir, 'pnpm-workspace.yaml'), `overrides:\n${lines.join('\n')}\n`);
  }
  await copyFile(join(consumerFiles, 'prelude.mjs'), join(dir, 'prelude.mjs'));
  await copyFile(join(consumerFiles, 'run.mjs'), join(dir, 'run.mjs'));
  const command =
    manager === 'npm'
      ? ['npm', ['install', '--no-audit', '--no-fund', '--loglevel=error']]
      : ['npx', ['--yes', 'pnpm@12.21.0', 'install', '--loglevel=error']];
  await run(command[0] as string, command[1] as string[], { cwd: dir, env: childEnv, timeout: 300_000 });
  return { manager, dir, install };
}
