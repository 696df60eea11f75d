/**
 * Runs @connexease-kit/otel's README Prometheus snippet as it is, in its own Node process, against the
 * mock API: the snippet's file sits inside this package, so it resolves the packages its install line
 * names through this package's dependencies (the workspace ones built). Then scrapes `/metrics` over
 * HTTP like Prometheus would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import { freePort } from '@connexease-kit/test-servers';
import { afterAll, beforeAll, expect, it } from 'vitest';

const integrationDir = fileURLToPath(new URL('../../', import.meta.url));
const packagesDir = join(integrationDir, '..', 'packages');
const USER = { username: 'svc-readme', password: 'readme-password-SECRET' };
/** The built workspace packages the snippet imports (through this package's node_modules). */
const BUILT = ['otel', 'http-ky', 'auth-core', 'token-store-memory'];

let mock: MockServer;
let child: ChildProcess | undefined;
let snippetDir: string | undefined;

beforeAll(async () => {
  for (const name of BUILT) {
    const dist = join(packagesDir, name, 'dist', 'index.js');
    await access(dist).catch(() => {
      throw new Error(
        `${dist} is missing: build first (npx pnpm@12.21.0 turbo run build --filter=@connexease-kit/otel...)`,
      );
    });
  }
  mock = await startMockServer({ users: [USER] });
  snippetDir = join(integrationDir, '.tmp', `otel-readme-${process.pid}-${Date.now()}`);
  await mkdir(snippetDir, { recursive: true });
});

/** The snippet's directory, made in `beforeAll`. */
const dir = (): string => snippetDir ?? '';

afterAll(async () => {
  if (child !== undefined && child.exitCode === null) {
    child.kill('SIGKILL');
    await once(child, 'exit');
  }
  await mock?.close();
  if (snippetDir !== undefined) await rm(snippetDir, { recursive: true, force: true });
});

/** The first fenced block of `language` after the heading `heading`. */
function snippetAfter(markdown: string, heading: string, language: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README has no "${heading}" heading`);
  const fence = `\`\`\`${language}\n`;
  const open = markdown.indexOf(fence, start);
  const close = markdown.indexOf('\n```', open + fence.length);
  return markdown.slice(open + fence.length, close + 1);
}

/** Scrapes `url` until `accept` says yes, or fails after `timeoutMs` with what it saw last. */
async function scrapeUntil(
  url: string,
  accept: (body: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '(no answer yet)';
  while (Date.now() < deadline) {
    if (child?.exitCode !== null)
      throw new Error(`the snippet exited with ${child?.exitCode}: ${output.join('')}`);
    try {
      const response = await fetch(url);
      last = await response.text();
      if (response.ok && accept(last)) return last;
    } catch (error) {
      last = String(error);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no acceptable scrape of ${url} within ${timeoutMs} ms; last: ${last}\n${output.join('')}`);
}

const output: string[] = [];

it('the README Prometheus snippet runs, and a scrape of /metrics shows the connexease metrics', async () => {
  const readme = await readFile(join(packagesDir, 'otel', 'README.md'), 'utf8');
  const snippet = snippetAfter(readme, '## Prometheus in a few lines', 'ts');
  expect(snippet).toContain('instrumentConnexease({ meterProvider })');
  const file = join(dir(), 'snippet.mjs');
  await writeFile(file, snippet);
  const port = await freePort();

  child = spawn(process.execPath, [file], {
    cwd: dir(),
    env: {
      ...process.env,
      METRICS_PORT: String(port),
      CONNEXEASE_BASE_URL: mock.url,
      CONNEXEASE_USERNAME: USER.username,
      CONNEXEASE_PASSWORD: USER.password,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => output.push(String(chunk)));
  child.stderr?.on('data', (chunk) => output.push(String(chunk)));

  const body = await scrapeUntil(
    `http://127.0.0.1:${port}/metrics`,
    // The token is issued before the snippet's API call answers: wait for both.
    (text) => text.includes('connexease_jwt_attempts') && mock.control.stats().apiCalls.byStatus['200'] === 1,
    20_000,
  );
  for (const name of [
    'connexease_quota_used',
    'connexease_quota_limit',
    'connexease_quota_remaining',
    'connexease_jwt_attempts_total',
    'connexease_token_refresh_in',
    'connexease_token_expires_in',
  ]) {
    expect(body).toContain(name);
  }
  expect(body).toMatch(/connexease_jwt_attempts_total\{[^}]*connexease_outcome="issued"[^}]*\} 1/);
  expect(body).toMatch(/connexease_quota_remaining\{[^}]*\} 24/);
  expect(mock.control.stats().issues.total).toBe(1);
  expect(mock.control.stats().apiCalls.byStatus).toMatchObject({ '200': 1 });
  expect(output.join(''), 'the snippet printed no error').toBe('');
  expect(body).not.toContain(USER.password);
  expect(body).not.toContain(USER.username);

  // The snippet's SIGTERM handler shuts everything down, and Node exits on its own.
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  expect(code).toBe(0);
}, 60_000);
