/**
 * Every README snippet that shuts something down runs here as a real process (the built packages, the
 * mock API over HTTP, the shared Redis), and must exit: on its own once its last line has run, or after
 * SIGTERM when it waits for one. A snippet that leaves a connection open never exits, and fails here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import {
  freePort,
  requireSharedPostgres,
  requireSharedRedis,
  SHARED_DATABASE_URL,
  SHARED_REDIS_URL,
} from '@connexease-kit/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureEnv } from '../fleet/support/replica-process.ts';
import { type CodeBlock, codeBlocks } from './support/markdown.ts';
import { SIGTERM_READY_MARKER } from './support/protocol.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const INTEGRATION = fileURLToPath(new URL('../../', import.meta.url));
const PRELOAD = fileURLToPath(new URL('./support/preload.ts', import.meta.url));
/**
 * Where a snippet file goes: inside a package, so it resolves that package's dependencies (the built
 * packages). This one by default; a snippet whose install line names packages this one does not
 * depend on runs inside the package that documents it.
 */
function runDir(packageDir = INTEGRATION): string {
  return join(packageDir, '.tmp', 'readme-snippets');
}

/** Generous: the point is that the process exits at all, not how fast. */
const EXIT_DEADLINE_MS = 10_000;
/** Time a snippet has to start and do its work (an API call, a token issue) before it should be done. */
const WORK_DEADLINE_MS = 30_000;

/** How a snippet ends: by itself after its last line, or when SIGTERM reaches its own handler. */
type Ending = 'by-itself' | 'sigterm';

interface ShutdownSnippet {
  /** The README, relative to the repository root. */
  readme: string;
  /** Text found in exactly one code block of that README. */
  marker: string;
  ending: Ending;
  /**
   * What the fragment takes from the prose around it (variables, imports), and nothing else. The
   * snippet's own lines run unchanged after it.
   */
  prelude?: string;
  /** Run after the snippet: closes what the prelude opened. */
  epilogue?: string;
  /** Literal replacements, for paths the test cannot use (a directory under /var/lib). */
  replace?: Array<[string, string]>;
  /** The package (relative to the root) whose dependencies the snippet needs; default `integration`. */
  packageDir?: string;
}

const CREDENTIALS = `const username = process.env.CONNEXEASE_USERNAME!;\nconst password = process.env.CONNEXEASE_PASSWORD!;\n`;
const HTTP_KY = `import { createConnexeaseClient } from '@connexease-kit/http-ky';\n`;

const SNIPPETS: ShutdownSnippet[] = [
  {
    readme: 'packages/token-store-postgres/README.md',
    marker: 'the store never ends a pool you passed',
    ending: 'by-itself',
  },
  { readme: 'README.md', marker: 'Legacy JWT: the client exchanges', ending: 'by-itself' },
  { readme: 'README.md', marker: 'SIGTERM', ending: 'sigterm' },
  {
    readme: 'packages/http-ky/README.md',
    marker: 'closes the in-process store it created',
    ending: 'by-itself',
  },
  {
    readme: 'packages/http-ky/README.md',
    marker: "store: 'file'",
    ending: 'by-itself',
    prelude: HTTP_KY + CREDENTIALS,
  },
  {
    readme: 'packages/http-ky/README.md',
    marker: '/var/lib/orders/connexease-kit',
    ending: 'by-itself',
    prelude: HTTP_KY + CREDENTIALS,
    replace: [["'/var/lib/orders/connexease-kit'", 'process.env.CXK_SNIPPET_DIR!']],
  },
  {
    readme: 'packages/http-ky/README.md',
    marker: 'a store you pass in is yours to close',
    ending: 'by-itself',
    prelude: `${CREDENTIALS}const log = { info: (event: unknown) => console.log(event) };\n`,
  },
  {
    readme: 'packages/auth-core/README.md',
    marker: 'const provider = createTokenProvider({',
    ending: 'by-itself',
    prelude: [
      "import { Redis } from 'ioredis';",
      'const redis = new Redis(process.env.REDIS_URL!);',
      'const logger = { info: (event: unknown) => console.log(event) };',
      'const signal = AbortSignal.timeout(20_000);',
      "const url = 'https://api.connexease.com/some/endpoint/';",
      '',
    ].join('\n'),
    // The prelude's client is the prose's "your client": closing it is the caller's part.
    epilogue: 'await redis.quit();\n',
  },
  {
    readme: 'README.md',
    marker: "forHost('https://stream.connexease.com')('stats')",
    ending: 'by-itself',
  },
  {
    readme: 'packages/http-ky/README.md',
    marker: 'one JWT serves both hosts',
    ending: 'by-itself',
  },
  {
    readme: 'packages/http-fetch/README.md',
    marker: 'QUOTA_EXHAUSTED, AGENT_BANNED, …: never a secret',
    ending: 'by-itself',
  },
  {
    readme: 'packages/http-fetch/README.md',
    marker: "const stream = forHost('https://stream.connexease.com');",
    ending: 'by-itself',
  },
  {
    readme: 'packages/http-fetch/README.md',
    marker: "new URLSearchParams({ q: 'hello' })",
    ending: 'by-itself',
  },
  {
    readme: 'packages/http-fetch/README.md',
    marker: 'new Agent({ connections: 16',
    ending: 'by-itself',
    packageDir: 'packages/http-fetch',
  },
  {
    readme: 'packages/http-fetch/README.md',
    marker: "createClient({ baseUrl: 'https://api.connexease.com', fetch })",
    ending: 'by-itself',
    packageDir: 'packages/http-fetch',
  },
  {
    readme: 'packages/http-fetch/README.md',
    marker: "adapter: 'fetch'",
    ending: 'by-itself',
    packageDir: 'packages/http-fetch',
  },
  {
    readme: 'packages/http-fetch/README.md',
    marker: 'const signed = authFetch(provider)',
    ending: 'by-itself',
  },
  {
    readme: 'packages/http-fetch/README.md',
    marker: 'every replica on this Redis shares one JWT',
    ending: 'by-itself',
  },
  {
    readme: 'packages/http-fetch/README.md',
    marker: 'await createConnexeaseFetchFromEnv(); // process.env',
    ending: 'by-itself',
  },
  {
    readme: 'packages/token-store-redis/README.md',
    marker: 'the store never closes a client you passed',
    ending: 'by-itself',
  },
  {
    readme: 'packages/token-store-file/README.md',
    marker: 'the provider first, then the store',
    ending: 'by-itself',
  },
  {
    readme: 'packages/otel/README.md',
    marker: 'instrumentConnexease({ meterProvider })',
    ending: 'sigterm',
  },
];

/** A code block that shuts something down: it listens for SIGTERM, or closes a provider, a store or a client. */
function isShutdownBlock(block: CodeBlock): boolean {
  return (
    ['ts', 'js', 'typescript'].includes(block.lang) &&
    /SIGTERM|\b(auth|store|provider|redis)\.(close|quit)\(\)/.test(block.code)
  );
}

/** The root README and the README of every package and workspace folder. */
function readmes(): string[] {
  const folders = ['.', 'demo', 'docs', 'bench', 'integration', 'test-servers', 'test-support'];
  for (const name of readdirSync(join(ROOT, 'packages'))) folders.push(join('packages', name));
  return folders.map((folder) => join(folder, 'README.md')).filter((file) => existsSync(join(ROOT, file)));
}

function blockOf(snippet: ShutdownSnippet): CodeBlock {
  const found = codeBlocks(join(ROOT, snippet.readme)).filter((block) => block.code.includes(snippet.marker));
  if (found.length !== 1) {
    throw new Error(`${snippet.readme}: ${found.length} code blocks contain "${snippet.marker}", expected 1`);
  }
  return found[0]!;
}

/** The snippet as a program: prelude, the README's lines (replacements applied), epilogue. */
function programOf(snippet: ShutdownSnippet): string {
  let code = blockOf(snippet).code;
  for (const [from, to] of snippet.replace ?? []) {
    if (!code.includes(from)) throw new Error(`${snippet.readme}: "${from}" is no longer in the snippet`);
    code = code.replaceAll(from, to);
  }
  return `${snippet.prelude ?? ''}${code}\n${snippet.epilogue ?? ''}`;
}

interface Outcome {
  /** Whether the process exited before the test killed it. */
  exited: boolean;
  code: number | null;
  signal: NodeJS.Signals | null;
  sentSigterm: boolean;
  /** From SIGTERM (or from the start, for a snippet that ends by itself) to the exit. */
  elapsedMs: number;
  output: string;
}

let mock: MockServer;
let home: string;
const running = new Set<ChildProcess>();

beforeAll(async () => {
  await requireSharedRedis();
  await requireSharedPostgres();
  mock = await startMockServer();
  home = await mkdtemp(join(tmpdir(), 'cxk-snippets-'));
});
afterAll(async () => {
  for (const child of running) child.kill('SIGKILL');
  await mock?.close();
  for (const dir of new Set(
    SNIPPETS.map((snippet) => runDir(snippet.packageDir && join(ROOT, snippet.packageDir))),
  )) {
    await rm(dir, { recursive: true, force: true });
  }
  if (home !== undefined) await rm(home, { recursive: true, force: true });
});

/** Runs `program` as a process; ends it the way `ending` says, and kills it if it outlives the deadline. */
async function runSnippet(snippet: ShutdownSnippet): Promise<Outcome> {
  const { ending } = snippet;
  const dir = runDir(snippet.packageDir && join(ROOT, snippet.packageDir));
  await mkdir(dir, { recursive: true });
  const file = join(dir, `snippet-${randomUUID()}.ts`);
  await writeFile(file, programOf(snippet));
  const user = { username: `snippet-${randomUUID()}`, password: `pw-${randomUUID()}` };
  mock.control.upsertUser({ ...user, status: 'active' });
  const cache = join(home, randomUUID());
  const env = fixtureEnv({
    CXK_SNIPPET_API: mock.url,
    CXK_SNIPPET_DIR: join(cache, 'store'),
    CONNEXEASE_USERNAME: user.username,
    CONNEXEASE_PASSWORD: user.password,
    REDIS_URL: SHARED_REDIS_URL,
    DATABASE_URL: SHARED_DATABASE_URL,
    METRICS_PORT: String(await freePort()),
    HOME: cache,
    XDG_CACHE_HOME: join(cache, '.cache'),
  });
  const child = spawn(process.execPath, ['--import', PRELOAD, file], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  return new Promise<Outcome>((resolve) => {
    let output = '';
    let exited = true;
    let sentSigterm = false;
    let since = Date.now();
    const kill = (): void => {
      exited = false;
      child.kill('SIGKILL');
    };
    let deadline = setTimeout(kill, WORK_DEADLINE_MS + EXIT_DEADLINE_MS);
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (ending !== 'sigterm' || sentSigterm || !output.includes(SIGTERM_READY_MARKER)) return;
      // The snippet did its work and now waits for SIGTERM, as a service would: send it.
      sentSigterm = true;
      since = Date.now();
      child.kill('SIGTERM');
      clearTimeout(deadline);
      deadline = setTimeout(kill, EXIT_DEADLINE_MS);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('exit', (code, signal) => {
      clearTimeout(deadline);
      running.delete(child);
      void rm(file, { force: true });
      resolve({
        exited,
        code,
        signal,
        sentSigterm,
        elapsedMs: Date.now() - since,
        output: output.slice(-4000),
      });
    });
  });
}

describe('README shutdown snippets, each run as a process (issue 10, case 6)', () => {
  it('every shutdown snippet of every README is in this list', () => {
    const listed = new Set(SNIPPETS.map((snippet) => `${snippet.readme}:${blockOf(snippet).line}`));
    const found = readmes().flatMap((readme) =>
      codeBlocks(join(ROOT, readme))
        .filter(isShutdownBlock)
        .map((block) => `${readme}:${block.line}`),
    );
    expect(found.length).toBeGreaterThanOrEqual(SNIPPETS.length);
    expect(found.filter((where) => !listed.has(where))).toEqual([]);
  });

  it.each(SNIPPETS.map((snippet) => [`${snippet.readme} "${snippet.marker}"`, snippet] as const))(
    '%s exits',
    async (_, snippet) => {
      const outcome = await runSnippet(snippet);
      const why = `${snippet.readme}:${blockOf(snippet).line}; its output:\n${outcome.output}`;
      // For the record only (never asserted: machine speed varies).
      process.stdout.write(
        `[readme-shutdown] ${snippet.readme} "${snippet.marker}": ${outcome.exited ? 'exited' : 'killed'} ` +
          `${outcome.elapsedMs} ms after ${snippet.ending === 'sigterm' ? 'SIGTERM' : 'its start'}\n`,
      );
      if (snippet.ending === 'sigterm')
        expect(outcome.sentSigterm, `never listened for SIGTERM; ${why}`).toBe(true);
      expect(
        outcome.exited,
        `still alive ${snippet.ending === 'sigterm' ? `${EXIT_DEADLINE_MS} ms after SIGTERM` : `after ${WORK_DEADLINE_MS + EXIT_DEADLINE_MS} ms`}; ${why}`,
      ).toBe(true);
      // Exit code 0: the snippet's own shutdown ran to the end (not Node's default SIGTERM death, not a throw).
      expect({ code: outcome.code, signal: outcome.signal }, why).toEqual({ code: 0, signal: null });
    },
    WORK_DEADLINE_MS + EXIT_DEADLINE_MS + 10_000,
  );

  it('the mock server CLI of the mock-server README closes on SIGTERM', async () => {
    const cli = fileURLToPath(import.meta.resolve('@connexease-kit/mock-server/package.json')).replace(
      /package\.json$/,
      'dist/cli.js',
    );
    const child = spawn(
      process.execPath,
      [
        cli,
        '--port',
        '0',
        '--user',
        'john.doe:awesomepassword',
        '--access-token',
        'cxat_dev',
        '--quota-limit',
        '5',
      ],
      { env: fixtureEnv({}), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    running.add(child);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const line = stdout.split('\n')[0];
        if (stdout.includes('\n') && line !== undefined) resolve(line.trim());
      });
      void exited.then(() => reject(new Error(`the CLI exited before printing its URL: ${stdout}`)));
    });
    expect((await fetch(`${url}/__mock__/time`)).status).toBe(200);
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), EXIT_DEADLINE_MS);
    const outcome = await exited;
    clearTimeout(timer);
    running.delete(child);
    expect(outcome.signal, 'still alive after SIGTERM (killed by the test)').not.toBe('SIGKILL');
  }, 60_000);
});
