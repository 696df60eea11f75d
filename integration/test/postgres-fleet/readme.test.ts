import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import { postgresQuery, requireSharedPostgres, SHARED_DATABASE_URL } from '@connexease-kit/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Every snippet of packages/token-store-postgres/README.md, run as a process with the built packages,
// against the mock API and a database of this file alone on the shared PostgreSQL.
const run = promisify(execFile);
const README = new URL('../../../packages/token-store-postgres/README.md', import.meta.url);
const here = new URL('.', import.meta.url).pathname;

function blocks(markdown: string, language: string): string[] {
  const pattern = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``, 'g');
  return [...markdown.matchAll(pattern)].map((match) => match[1]!);
}

/** Runs `code` as an ES module beside this file (so it resolves the workspace's packages), with `env`. */
async function runSnippet(code: string, env: Record<string, string>): Promise<string> {
  const file = `${here}.readme-${randomUUID()}.ts`;
  await writeFile(file, code);
  try {
    const { stdout } = await run(process.execPath, [file], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return stdout;
  } finally {
    await rm(file, { force: true });
  }
}

let mock: MockServer;
let databaseUrl = '';
const database = `cxk_readme_${randomUUID().slice(0, 8)}`;
const user = { username: `readme-${randomUUID()}`, password: `pw-${randomUUID()}` };

beforeAll(async () => {
  await requireSharedPostgres();
  await postgresQuery(`CREATE DATABASE ${database}`);
  const url = new URL(SHARED_DATABASE_URL);
  url.pathname = `/${database}`;
  databaseUrl = url.toString();
  mock = await startMockServer({ users: [user] });
});
afterAll(async () => {
  await mock?.close();
  await postgresQuery(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

describe('token-store-postgres README', () => {
  it('the quick start imports only what its install line names, runs, issues once and exits', async () => {
    const markdown = await readFile(README, 'utf8');
    const install = blocks(markdown, 'sh').find((block) => block.startsWith('npm install'))!;
    const named = install.trim().split(/\s+/).slice(2);
    const quickStart = blocks(markdown, 'ts')[0]!;
    const imported = [...quickStart.matchAll(/from '([^']+)'/g)].map((match) => match[1]);
    for (const name of imported) expect(named, `the install line names ${name}`).toContain(name);

    const env = {
      DATABASE_URL: databaseUrl,
      CONNEXEASE_BASE_URL: mock.url,
      CONNEXEASE_USERNAME: user.username,
      CONNEXEASE_PASSWORD: user.password,
    };
    const stdout = await runSnippet(quickStart, env);
    expect(stdout).toContain('scheme');
    expect(stdout).toContain('used: 1');
    expect(mock.control.stats().issues.byUser[user.username]).toBe(1);
    // A second process (a restart) reuses the stored token.
    await runSnippet(quickStart, env);
    expect(mock.control.stats().issues.byUser[user.username]).toBe(1);
  }, 120_000);

  it('the connectionString and PgBouncer forms make working stores', async () => {
    const markdown = await readFile(README, 'utf8');
    const fragments = blocks(markdown, 'ts').filter((block) => block.startsWith('const store'));
    expect(fragments).toHaveLength(2);
    for (const fragment of fragments) {
      const code = `import { createPostgresTokenStore } from '@connexease-kit/token-store-postgres';
${fragment}
console.log(JSON.stringify(await store.readToken('readme-namespace')));
await store.close();
`;
      const stdout = await runSnippet(code, { DATABASE_URL: databaseUrl, DATABASE_DIRECT_URL: databaseUrl });
      expect(stdout.trim()).toBe('null');
    }
  }, 60_000);

  it('the migration script a DBA reviews is the one the store runs, and applies cleanly', async () => {
    const markdown = await readFile(README, 'utf8');
    const shell = blocks(markdown, 'sh').find((block) => block.includes('postgresMigrationSql'))!;
    const nodeLine = shell.split('\n')[0]!.replace(/ > connexease\.sql$/, '');
    const script = /-e "(.*)"$/.exec(nodeLine)![1]!;
    const { stdout: sql } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: here });
    expect(sql).toContain('CREATE TABLE IF NOT EXISTS public.connexease_quota');
    const url = new URL(databaseUrl);
    await postgresQuery(sql, [], url.toString());
    await postgresQuery(sql, [], url.toString());
    const tables = await postgresQuery<{ n: number }>(
      "SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'connexease\\_%'",
      [],
      url.toString(),
    );
    expect(tables).toEqual([{ n: 6 }]);
  });
});
