/**
 * Every published package says "license": "MIT", so each tarball ships the license text: npm includes a
 * package's own LICENSE file whatever `files` says, so each package keeps a copy of the repository's.
 */
import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { childEnv } from './support/packed-copies.ts';

const run = promisify(execFile);
const packagesDir = fileURLToPath(new URL('../../', import.meta.url));
const rootLicense = await readFile(join(packagesDir, '..', 'LICENSE'), 'utf8');
const published: { name: string; manifest: { license?: string; private?: boolean } }[] = [];
for (const name of await readdir(packagesDir)) {
  const manifest = JSON.parse(await readFile(join(packagesDir, name, 'package.json'), 'utf8'));
  if (manifest.private !== true) published.push({ name, manifest });
}

describe('the MIT license ships in every published package', () => {
  test('the repository has its MIT license, for connexease-kit contributors', () => {
    expect(rootLicense).toMatch(/^MIT License\n\nCopyright \(c\) 2026 connexease-kit contributors\n/);
    expect(published.length).toBeGreaterThanOrEqual(8);
  });

  test.each(published)(
    '$name: says MIT, keeps the same LICENSE text, and packs it',
    async ({ name, manifest }) => {
      expect(manifest.license).toBe('MIT');
      const license = await readFile(join(packagesDir, name, 'LICENSE'), 'utf8').catch(() => '');
      expect(license, `packages/${name}/LICENSE must be a copy of the repository's LICENSE`).toBe(
        rootLicense,
      );
      const { stdout } = await run('npm', ['pack', '--dry-run', '--json'], {
        cwd: join(packagesDir, name),
        env: childEnv,
      });
      const [packed] = JSON.parse(stdout) as { files: { path: string }[] }[];
      expect(packed?.files.map((file) => file.path)).toContain('LICENSE');
    },
  );
});
