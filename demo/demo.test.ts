import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { checkGuarantees } from './src/guarantees.ts';
import type { DemoReport } from './src/report.ts';

// The demo runs as users run it: a separate Node process importing the built packages (`pnpm test`
// builds them first).
const MAIN = fileURLToPath(new URL('./src/main.ts', import.meta.url));
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

interface DemoRun {
  code: number;
  stdout: string;
  stderr: string;
}

function runDemo(args: string[]): Promise<DemoRun> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [MAIN, ...args],
      { timeout: 110_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : -1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function parseReport(run: DemoRun): DemoReport {
  if (run.stderr.includes('ERR_MODULE_NOT_FOUND')) {
    throw new Error(`The demo needs the built packages: run \`pnpm build\` first.\n${run.stderr}`);
  }
  try {
    return JSON.parse(run.stdout) as DemoReport;
  } catch {
    throw new Error(
      `stdout is not one JSON document (exit ${run.code}).\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`,
    );
  }
}

/**
 * Throws unless `xml` is one well-formed element tree: tags nest and close, attributes are quoted,
 * and text holds no raw `<` or stray `&`. Enough to know a browser or rsvg-convert will parse it.
 */
function assertWellFormedXml(xml: string): void {
  const stack: string[] = [];
  const token =
    /<(\/?)([A-Za-z][\w:.-]*)((?:\s+[\w:.-]+="[^"<]*")*)\s*(\/?)>|<|&(?!(?:amp|lt|gt|quot|apos|#\d+);)/g;
  let roots = 0;
  for (const match of xml.matchAll(token)) {
    const [whole, closing, name, , selfClosing] = match;
    if (name === undefined)
      throw new Error(
        `stray ${JSON.stringify(whole)} at ${match.index}: ${xml.slice(match.index, match.index + 60)}`,
      );
    if (stack.length === 0) roots += 1;
    if (closing === '/') {
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> at ${match.index} closes <${open}>`);
    } else if (selfClosing !== '/') {
      stack.push(name);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed: ${stack.join(' > ')}`);
  if (roots !== 1) throw new Error(`${roots} root elements`);
}

/** The markup of the `<g id="…">` panel of one run. */
function panelOf(svg: string, id: 'kit' | 'naive'): string {
  const start = svg.indexOf(`<g id="${id}">`);
  expect(start, `the chart has a panel for ${id}`).toBeGreaterThanOrEqual(0);
  const next = svg.indexOf('<g id="', start + 1);
  return svg.slice(start, next === -1 ? undefined : next);
}

/** What every run must show, whatever the fleet: connexease-kit's guarantees and the naive ban. */
function expectTheStory(report: DemoReport): void {
  const { kit, naive } = report;
  // connexease-kit: 1 JWT at start + 1 after the revocation, the 2 storm 502s retried, nothing failed.
  expect(kit.issued).toBe(2);
  expect(kit.postJwt.byStatus).toEqual({ '200': 2, '502': 2 });
  expect(kit.requests.failed).toBe(0);
  expect(kit.requests.served).toBe(report.options.requests);
  expect(kit.bannedAt).toBeNull();
  expect(kit.quota).toEqual({ used: 4, limit: 25 });
  const crashes = kit.timeline.filter((entry) => entry.kind === 'crash');
  expect(crashes).toHaveLength(3);
  for (const crash of crashes) expect(crash.postJwt.total).toBe(0);
  // A replacement takes the shared token. (On a very busy machine one may die before it served anything.)
  const firstTokens = crashes.map((crash) => crash.crash?.firstToken);
  expect(firstTokens).not.toContain('issued');
  expect(firstTokens).toContain('reused');
  const revocation = kit.timeline.find((entry) => entry.kind === 'revocation');
  expect(revocation?.issued).toBe(1);
  expect(report.guarantees.every((g) => g.ok)).toBe(true);
  expect(report.ok).toBe(true);

  // The naive fleet goes past the API's 30 a day, which bans the user.
  expect(naive.api.banned || naive.postJwt.total > 30).toBe(true);
}

describe('the demo', () => {
  it('with in-process replicas: exit 0, the report as JSON only, 2 JWTs against a banned naive fleet, and the chart', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cxk-demo-svg-'));
    const chart = join(dir, 'run.svg');
    const run = await runDemo(['--json', '--requests', '200', '--svg', chart]);
    const svg = await readFile(chart, 'utf8').finally(() => rm(dir, { recursive: true, force: true }));
    const report = parseReport(run);
    expect(run.code, run.stderr).toBe(0);
    expect(report.options).toMatchObject({ replicas: 6, requests: 200, store: 'memory' });
    expectTheStory(report);
    expect(report.headline.kit).toContain(
      'connexease-kit: 2 JWTs issued (1 at start, 1 after the server revoked the token)',
    );
    expect(report.headline.naive).toMatch(/banned at request \d+/);

    // The exit code follows the guarantees: a run that had issued or failed more would not pass.
    const failing = (patch: Partial<DemoReport['kit']>) =>
      checkGuarantees({ ...report.kit, ...patch })
        .filter((g) => !g.ok)
        .map((g) => g.id);
    expect(failing({})).toEqual([]);
    expect(failing({ issued: 3 })).toEqual(['issues']);
    expect(failing({ requests: { ...report.kit.requests, failed: 1 } })).toEqual(['no-failed-requests']);
    expect(failing({ api: { used: 31, limit: 30, banned: true } })).toEqual(['quota', 'never-banned']);

    // --svg: one well-formed SVG, the ban marked in the naive panel only, every POST /jwt/ on the chart.
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(() => assertWellFormedXml(svg)).not.toThrow();
    expect(panelOf(svg, 'kit'), 'connexease-kit was never banned: no ban marker').not.toContain(
      'class="ban"',
    );
    expect(panelOf(svg, 'naive').match(/class="ban"/g), 'the naive run shows its ban once').toHaveLength(1);
    expect(panelOf(svg, 'naive')).toContain(`BANNED at request ${report.naive.bannedAt?.request}`);
    for (const side of [report.kit, report.naive]) {
      expect(side.series.postJwtAtMs, 'each POST /jwt/ the API received is a point in time').toHaveLength(
        side.postJwt.total,
      );
      expect(side.series.failedAtMs).toHaveLength(side.requests.failed);
    }
    expect(run.stderr).toContain(`The chart of the run is in ${chart}`);
  });

  it('with --redis: 3 replica processes sharing Redis keep the same guarantees', async () => {
    const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      await redis.ping();
    } catch {
      throw new Error(
        `Redis is not answering at ${REDIS_URL}. Start one (\`redis-server\` or ` +
          '`docker run --rm -p 6379:6379 redis:7`) or point REDIS_URL at one.',
      );
    } finally {
      redis.disconnect();
    }
    const run = await runDemo(['--json', '--redis', REDIS_URL, '--replicas', '3', '--requests', '200']);
    const report = parseReport(run);
    expect(run.code, run.stderr).toBe(0);
    expect(report.options).toMatchObject({ replicas: 3, requests: 200, store: 'redis' });
    expect(report.kit.fleet).toContain('one Node process per replica');
    expectTheStory(report);
  });

  it('rejects bad options with exit 2 and the usage', async () => {
    const run = await runDemo(['--replicas', '1']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('--replicas must be an integer from 2 to 32, got "1"');
    expect(run.stderr).toContain('Usage: pnpm demo');
  });
});
