/**
 * On a Node.js older than 22, importing any published package fails at once, naming the version it
 * needs. Unit checks of the helper, then every built package (its `dist`, as npm installs it) imported
 * by a real older Node.js: the system one the repository bootstraps from (20 on the development machine),
 * or `OLD_NODE`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { isConnexeaseAuthError } from '@connexease-kit/auth-core';
import { assertSupportedNode } from '@connexease-kit/auth-core/transport';
import { describe, expect, test } from 'vitest';
import { MINIMUM_NODE_MAJOR } from '../src/node-version.ts';

const run = promisify(execFile);
const packagesDir = fileURLToPath(new URL('../../', import.meta.url));

describe('assertSupportedNode', () => {
  test('names the version needed and the one running, as CONFIG_INVALID', () => {
    let error: unknown;
    try {
      assertSupportedNode('20.20.2');
    } catch (caught) {
      error = caught;
    }
    expect(isConnexeaseAuthError(error, 'CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toBe(
      'connexease-kit needs Node.js 22 or newer, and this is Node.js 20.20.2: upgrade Node.js ' +
        '(every @connexease-kit package says "engines": { "node": ">=22" })',
    );
  });

  test('accepts 22 and newer, and runtimes without a Node.js version', () => {
    expect(MINIMUM_NODE_MAJOR).toBe(22);
    for (const version of ['22.0.0', '22.12.0', '24.21.0', '26.0.0', undefined]) {
      expect(() => assertSupportedNode(version), `Node.js ${version}`).not.toThrow();
    }
    expect(() => assertSupportedNode('18.20.4')).toThrow(/needs Node.js 22 or newer/);
  });
});

/** A Node.js older than 22 on this machine: `OLD_NODE`, or the system `node`s on PATH and in /usr. */
function findOldNode(): { path: string; version: string } | undefined {
  const onPath = (() => {
    try {
      return execFileSync('which', ['-a', 'node'], { encoding: 'utf8' }).split('\n');
    } catch {
      return [];
    }
  })();
  const candidates = [process.env.OLD_NODE, '/usr/bin/node', '/usr/local/bin/node', ...onPath];
  for (const path of candidates) {
    if (path === undefined || path === '' || !existsSync(path)) continue;
    const version = execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim();
    if (Number.parseInt(version, 10) < MINIMUM_NODE_MAJOR) return { path, version };
  }
  return undefined;
}

interface Manifest {
  private?: boolean;
  engines?: { node?: string };
  exports?: Record<string, unknown>;
  bin?: Record<string, string>;
  dependencies?: Record<string, string>;
}

/**
 * Published packages that load nothing of auth-core and nothing a Node.js 20 cannot parse, so they need
 * no check of their own: otel only subscribes to diagnostics channels by name (its one dependency,
 * `@opentelemetry/api`, is a peer that runs on any Node.js); in a process on an older Node.js, auth-core
 * itself refuses to load. A new package must import auth-core first or be named here, with its reason.
 */
const WITHOUT_AUTH_CORE = ['otel'];

/** Each published package's entries, as its package.json names them: the root export and every bin. */
const ENTRIES: Record<string, string[]> = {};
const manifests: Record<string, Manifest> = {};
for (const name of await readdir(packagesDir)) {
  const manifest = JSON.parse(await readFile(join(packagesDir, name, 'package.json'), 'utf8')) as Manifest;
  if (manifest.private === true) continue;
  manifests[name] = manifest;
  if (WITHOUT_AUTH_CORE.includes(name)) continue;
  const root = (manifest.exports?.['.'] as { default?: string } | undefined)?.default;
  ENTRIES[name] = [root, ...Object.values(manifest.bin ?? {})]
    .filter((entry): entry is string => typeof entry === 'string')
    .map((entry) => entry.replace(/^\.\//, ''));
}
const cases = Object.entries(ENTRIES).flatMap(([name, entries]) =>
  entries.map((entry) => [name, entry] as const),
);

const oldNode = findOldNode();
const manifest = (name: string): Manifest => manifests[name] ?? {};

test.each(Object.keys(manifests))(
  '@connexease-kit/%s says "engines": { "node": ">=22" } (or a later 22.x)',
  (name) => {
    // otel needs 22.3 (process.getBuiltinModule, for the diagnostics channels); no package may ask for less than 22.
    expect(manifests[name]?.engines?.node).toMatch(new RegExp(`^>=${MINIMUM_NODE_MAJOR}(\\.\\d+){0,2}$`));
    const usesAuthCore =
      name === 'auth-core' || manifest(name).dependencies?.['@connexease-kit/auth-core'] !== undefined;
    expect(
      usesAuthCore,
      'it depends on auth-core, whose check runs first, unless it is named in WITHOUT_AUTH_CORE',
    ).toBe(!WITHOUT_AUTH_CORE.includes(name));
  },
);

describe(`importing a built package on an older Node.js (${oldNode?.path ?? 'none found'})`, () => {
  test('an older Node.js is on this machine to run them', () => {
    expect(
      oldNode,
      'these tests need a Node.js older than 22: the system node (the repository installs its own 24), ' +
        'or OLD_NODE=/path/to/node20/bin/node',
    ).toBeDefined();
  });

  test.each(cases)('@connexease-kit/%s %s fails at once, naming Node.js 22', async (name, entry) => {
    const file = join(packagesDir, name, entry);
    expect(existsSync(file), `${file} is missing: run \`pnpm build\` first`).toBe(true);
    const outcome = await run(
      oldNode!.path,
      ['--input-type=module', '-e', `await import(${JSON.stringify(pathToFileURL(file).href)})`],
      {
        timeout: 30_000,
      },
    ).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code?: number; stdout: string; stderr: string }) => ({ ...error }),
    );
    expect(outcome.code, `importing ${entry} on Node.js ${oldNode!.version} must fail`).not.toBe(0);
    expect(outcome.stderr).toContain(
      `connexease-kit needs Node.js 22 or newer, and this is Node.js ${oldNode!.version}`,
    );
    expect(outcome.stderr, 'no SyntaxError or other failure comes first').not.toMatch(
      /SyntaxError|TypeError/,
    );
  });

  test.each(cases)(
    '@connexease-kit/%s %s loads auth-core before any other dependency',
    async (name, entry) => {
      // ESM evaluates imports depth first, in order: the first package met that way runs first. It must be
      // auth-core, whose version check then runs before ky, ioredis, jose or vitest execute a line.
      const firstPackage = async (file: string, seen = new Set<string>()): Promise<string | undefined> => {
        seen.add(file);
        const source = await readFile(file, 'utf8');
        for (const [, specifier] of source.matchAll(/^(?:import|export)\s[^;'"]*["']([^'"]+)["']/gm)) {
          if (specifier === undefined || specifier.startsWith('node:')) continue;
          if (!specifier.startsWith('.')) return specifier;
          const chunk = join(file, '..', specifier);
          if (seen.has(chunk)) continue;
          const found = await firstPackage(chunk, seen);
          if (found !== undefined) return found;
        }
        return undefined;
      };
      const first = await firstPackage(join(packagesDir, name, entry));
      // Each of auth-core's entries (main, /store, /transport) checks the version as it loads.
      if (name === 'auth-core') expect(first, 'the first package an entry loads').toBeUndefined();
      else
        expect(first, 'the first package an entry loads').toMatch(
          /^@connexease-kit\/auth-core(\/store|\/transport)?$/,
        );
    },
  );
});
