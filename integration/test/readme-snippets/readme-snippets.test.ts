/**
 * Every README snippet of the front door (the root README, http-ky, http-fetch, auth-core) runs as a
 * user would run it: in a fresh project outside the workspace that installs exactly the packages the
 * snippet's install line names, from the packed tarballs (`pnpm pack`) plus the npm registry for
 * third-party packages, once with npm and once with pnpm (whose strict layout lets a project import only
 * what it installed). The hosts it names are sent to the mock API; the Redis ones use the local Redis.
 * A snippet without a plan in `support/plans.ts` fails the test, so a new snippet gets a run.
 */
import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import { requireSharedRedis, SHARED_REDIS_URL } from '@connexease-kit/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Consumer, createConsumer, type PackageManager } from './support/consumer.ts';
import { readmeSnippets, type Snippet } from './support/extract.ts';
import { READMES, SNIPPET_PLANS, type SnippetPlan } from './support/plans.ts';
import { childEnv, packTarballs } from './support/tarballs.ts';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const MANAGERS: readonly PackageManager[] = ['npm', 'pnpm'];
const ACCESS_TOKEN = `cxk-readme-${randomUUID()}`;
const USER = { username: `readme-${randomUUID()}`, password: `readme-password-${randomUUID()}` };
/** How many consumer projects install at once: installs are network- and CPU-heavy on a shared machine. */
const INSTALLS_AT_ONCE = 3;

const snippets: Snippet[] = READMES.flatMap(({ readme, ownPackage }) =>
  readmeSnippets(repoRoot, readme, ownPackage),
);
const installKey = (install: readonly string[]) => install.join(' ');

let workDir: string;
let api: MockServer;
let stream: MockServer;
const consumers = new Map<string, Consumer>();
/** Which consumer ran which snippet, for the closing table. */
const ran = new Map<string, PackageManager[]>();

beforeAll(async () => {
  await requireSharedRedis();
  workDir = await mkdtemp(join(tmpdir(), 'cxk-readme-snippets-'));
  const tarballs = await packTarballs(repoRoot, join(workDir, 'tarballs'));
  // The statistics host accepts the API host's JWTs (one secret), as stream.connexease.com does.
  const secret = randomUUID();
  api = await startMockServer({ secret, users: [USER], accessTokens: [ACCESS_TOKEN] });
  stream = await startMockServer({ secret, users: [USER], accessTokens: [ACCESS_TOKEN] });

  const jobs = [...new Set(snippets.map((snippet) => installKey(snippet.install)))].flatMap((key) =>
    MANAGERS.map((manager) => ({ manager, key })),
  );
  const next = async (): Promise<void> => {
    for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
      const dir = join(workDir, `${job.manager}-${consumers.size}-${randomUUID().slice(0, 8)}`);
      const install = job.key === '' ? [] : job.key.split(' ');
      consumers.set(`${job.manager}:${job.key}`, await createConsumer(job.manager, dir, install, tarballs));
    }
  };
  await Promise.all(Array.from({ length: INSTALLS_AT_ONCE }, next));
}, 900_000);

afterAll(async () => {
  await api?.close();
  await stream?.close();
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  const table = snippets.map(
    (snippet) => `${snippet.id}: ${(ran.get(snippet.id) ?? []).join(' + ') || 'NOT RUN'}`,
  );
  console.log(`README snippets and the consumers that ran them:\n${table.join('\n')}`);
});

describe('README snippets', () => {
  it('every snippet has a plan, and every plan a snippet', () => {
    const ids = snippets.map((snippet) => snippet.id);
    expect(ids.filter((id) => SNIPPET_PLANS[id] === undefined)).toEqual([]);
    expect(Object.keys(SNIPPET_PLANS).filter((id) => !ids.includes(id))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it.each(snippets.map((snippet) => [snippet.id, snippet] as const))(
    '%s runs with exactly its install line, under npm and pnpm',
    async (id, snippet) => {
      const plan = SNIPPET_PLANS[id];
      expect(plan, `no plan for ${id}`).toBeDefined();
      expect(snippet.install.length, `${id} has no install line above it`).toBeGreaterThan(0);
      for (const manager of MANAGERS) {
        const consumer = consumers.get(`${manager}:${installKey(snippet.install)}`);
        expect(consumer, `no ${manager} consumer for ${id}`).toBeDefined();
        const outcome = await runSnippet(consumer!, snippet, plan!);
        expect(outcome.failure, `${id} under ${manager} (installed: ${snippet.install.join(' ')})`).toBe('');
        if (plan!.calls) expect(outcome.calls, `${id} under ${manager}: signed API calls`).toBeGreaterThan(0);
        ran.set(id, [...(ran.get(id) ?? []), manager]);
      }
    },
    120_000,
  );
});

let counter = 0;

/** Runs one snippet in a consumer: its failure output ('' when it ran to the end) and its signed API calls. */
async function runSnippet(
  consumer: Consumer,
  snippet: Snippet,
  plan: SnippetPlan,
): Promise<{ failure: string; calls: number }> {
  const file = `snippet-${++counter}.ts`;
  const scratch = await mkdtemp(join(workDir, 'scratch-'));
  let code = snippet.code;
  if (plan.tempDirectoryFor !== undefined)
    code = code.replaceAll(plan.tempDirectoryFor, join(scratch, 'store'));
  await writeFile(
    join(consumer.dir, file),
    `${plan.context === undefined ? '' : `${plan.context}\n`}${code}\n`,
  );
  const env: NodeJS.ProcessEnv = { ...childEnv };
  for (const name of Object.keys(env)) if (name.startsWith('CONNEXEASE_')) delete env[name];
  Object.assign(env, {
    CONNEXEASE_USERNAME: USER.username,
    CONNEXEASE_PASSWORD: USER.password,
    ...(plan.fromEnv ? {} : { CONNEXEASE_ACCESS_TOKEN: ACCESS_TOKEN }),
    CONNEXEASE_TOKEN_KEY: randomBytes(32).toString('base64'),
    REDIS_URL: SHARED_REDIS_URL,
    XDG_CACHE_HOME: scratch,
    SNIPPET_HOSTS: JSON.stringify({
      'https://api.connexease.com': api.url,
      'https://stream.connexease.com': stream.url,
    }),
    SNIPPET_GLOBALS: (plan.globals ?? []).join(','),
  });
  try {
    const { stdout } = await promisifiedRun(
      process.execPath,
      ['--import', './prelude.mjs', 'run.mjs', file],
      {
        cwd: consumer.dir,
        env,
        timeout: 60_000,
      },
    );
    const result = /SNIPPET_RESULT (.*)/.exec(stdout)?.[1];
    if (result === undefined) return { failure: `no result line in:\n${stdout}`, calls: 0 };
    return { failure: '', calls: (JSON.parse(result) as { calls: number }).calls };
  } catch (error) {
    const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
    return { failure: `${(error as Error).message}\n${stderr}\n${stdout}`.trim(), calls: 0 };
  }
}

function promisifiedRun(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeout: number },
): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, options, (error, stdout, stderr) => {
      if (error) reject(Object.assign(error, { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}
