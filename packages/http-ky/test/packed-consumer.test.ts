/**
 * Proves the published shape works: builds and `pnpm pack`s auth-core, token-store-memory and
 * http-ky, installs the three tarballs plus ky with plain npm into a fresh project outside the
 * workspace, and runs a small ESM program that makes one `createConnexeaseClient` call against a mock
 * API started here. Catches what source-aliased tests cannot: missing files in `dist`, broken
 * `exports`, `workspace:` ranges left in a manifest, a dependency that is only a devDependency.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { JOHN, startTestServer } from '@connexease-kit/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGES = ['auth-core', 'token-store-memory', 'http-ky'] as const;
const PNPM = ['--yes', 'pnpm@12.21.0'];
// Child processes use the Node running the tests (24), whatever `node` the system PATH has first.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}` };

/**
 * The packages whose `dist` is missing or older than a source file. Only those are rebuilt: after
 * `pnpm test` (which builds first) nothing is, so this test never rewrites a `dist` that tests running
 * in parallel may be loading.
 */
async function staleBuilds(): Promise<string[]> {
  const stale: string[] = [];
  for (const name of PACKAGES) {
    const dir = join(repoRoot, 'packages', name);
    const built = await stat(join(dir, 'dist', 'index.js')).catch(() => undefined);
    const sources = await readdir(join(dir, 'src'), { recursive: true });
    let newest = 0;
    for (const file of sources) newest = Math.max(newest, (await stat(join(dir, 'src', file))).mtimeMs);
    if (built === undefined || built.mtimeMs < newest) stale.push(name);
  }
  return stale;
}

const CONSUMER = `
import { createConnexeaseClient } from '@connexease-kit/http-ky';
import { ConnexeaseAuthError } from '@connexease-kit/auth-core';

const { api, auth } = createConnexeaseClient({
  baseUrl: process.env.MOCK_URL,
  credentials: { username: process.env.MOCK_USER, password: process.env.MOCK_PASSWORD },
});
try {
  const echo = await api.post('consumer/check/', { json: { from: 'tarball' } }).json();
  const status = await auth.status();
  let bad = null;
  try {
    createConnexeaseClient({ credentials: { username: '', password: 'x' } });
  } catch (error) {
    bad = error instanceof ConnexeaseAuthError ? error.code : 'wrong class';
  }
  console.log(JSON.stringify({ echo, quotaUsed: status.quota.used, bad }));
} finally {
  await auth.close();
}
`;

describe('packed tarballs in a plain npm project', () => {
  let workDir: string;

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'cxk-packed-consumer-'));
  });

  afterAll(async () => {
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });

  it('installs with npm and makes a signed call through createConnexeaseClient', {
    timeout: 120_000,
  }, async () => {
    const stale = await staleBuilds();
    if (stale.length > 0) {
      const filters = stale.flatMap((name) => ['--filter', `@connexease-kit/${name}`]);
      await run('npx', [...PNPM, ...filters, 'build'], { cwd: repoRoot, env });
    }

    const tarballDir = join(workDir, 'tarballs');
    await mkdir(tarballDir);
    for (const name of PACKAGES) {
      await run('npx', [...PNPM, 'pack', '--pack-destination', tarballDir], {
        cwd: join(repoRoot, 'packages', name),
        env,
      });
    }
    const tarballs = (await readdir(tarballDir)).filter((file) => file.endsWith('.tgz'));
    expect(tarballs).toHaveLength(PACKAGES.length);

    const app = join(workDir, 'app');
    await mkdir(app);
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    await writeFile(join(app, 'index.js'), CONSUMER);
    await run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        ...tarballs.map((file) => join(tarballDir, file)),
        'ky@^2',
      ],
      { cwd: app, env },
    );

    const server = await startTestServer();
    const { stdout } = await run(process.execPath, ['index.js'], {
      cwd: app,
      env: { ...env, MOCK_URL: server.url, MOCK_USER: JOHN.username, MOCK_PASSWORD: JOHN.password },
    });
    const result = JSON.parse(stdout.trim().split('\n').at(-1) ?? '');
    expect(result).toEqual({
      echo: {
        ok: true,
        method: 'POST',
        path: '/consumer/check/',
        scheme: 'JWT',
        username: JOHN.username,
        body: { from: 'tarball' },
      },
      quotaUsed: 1,
      bad: 'CONFIG_INVALID',
    });
    expect(server.control.stats().issues.total).toBe(1);
    expect(server.control.stats().apiCalls.total).toBe(1);
  });
});
