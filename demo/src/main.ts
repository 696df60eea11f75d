/**
 * The connexease-kit demo: a fleet of replicas against the mock Connexease API, with connexease-kit and
 * then with the naive per-replica client, through the same scripted day. See demo/README.md.
 *
 *   pnpm demo                                   6 in-process replicas sharing a memory store
 *   pnpm demo -- --redis redis://127.0.0.1:6379 one Node process per replica, sharing Redis
 *   pnpm demo -- --svg run.svg                  also draw the run as a chart
 */
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ApiTarget, Fleet } from './fleet.ts';
import { createMemoryFleet } from './fleet-memory.ts';
import { createRedisFleet, RedisUnavailableError } from './fleet-redis.ts';
import { createNaiveFleet } from './naive.ts';
import { createProgress } from './progress.ts';
import { buildReport, renderReport } from './report.ts';
import { runScenario, SCENARIO } from './scenario.ts';
import { renderSvg } from './svg.ts';

const USAGE = `Usage: pnpm demo [-- options]   (or: node demo/src/main.ts [options], after pnpm build)

  --replicas N   replicas in the fleet (default 6, 2 to 32)
  --requests N   requests in each run (default 600, 100 to 100000), arriving at ${SCENARIO.ratePerSecond}/s
  --redis URL    run each replica as its own Node process, sharing this Redis
  --json         print the report as JSON on stdout (and nothing else)
  --svg FILE     also draw the run as an SVG chart into FILE
  -h, --help     this help

Exit code: 0 when connexease-kit kept every guarantee, 1 when one failed, 2 for bad usage or setup.`;

interface DemoOptions {
  replicas: number;
  requests: number;
  redisUrl: string | undefined;
  json: boolean;
  svg: string | undefined;
}

function parseOptions(argv: string[]): DemoOptions | 'help' {
  // `pnpm demo -- --json` passes the `--` through; it is not an end-of-options marker here.
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const { values } = parseArgs({
    args,
    options: {
      replicas: { type: 'string' },
      requests: { type: 'string' },
      redis: { type: 'string' },
      json: { type: 'boolean', default: false },
      svg: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) return 'help';
  return {
    replicas: integer('--replicas', values.replicas, 6, 2, 32),
    requests: integer('--requests', values.requests, 600, 100, 100_000),
    redisUrl: values.redis,
    json: values.json,
    svg: values.svg,
  };
}

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`);
  }
  return value;
}

class UsageError extends Error {
  override readonly name = 'UsageError';
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const { replicas, requests, redisUrl } = options;
  const progress = createProgress(process.stderr);

  const kitFleet =
    redisUrl === undefined
      ? createMemoryFleet
      : (target: ApiTarget): Promise<Fleet> =>
          createRedisFleet(target, redisUrl, replicas + SCENARIO.crashesAt.length);
  const kit = await runScenario({
    makeFleet: kitFleet,
    replicas,
    requests,
    onProgress: progress.begin('connexease-kit'),
  });
  progress.end();
  const naive = await runScenario({
    makeFleet: createNaiveFleet,
    replicas,
    requests,
    onProgress: progress.begin('naive'),
  });
  progress.end();

  const report = buildReport(
    { replicas, requests, store: redisUrl === undefined ? 'memory' : 'redis' },
    kit,
    naive,
  );
  process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : `\n${renderReport(report)}`);
  if (options.svg !== undefined) {
    // `pnpm demo` runs in the repository root: a relative path means where the user typed the command.
    const file = resolve(process.env.INIT_CWD ?? process.cwd(), options.svg);
    await writeFile(file, renderSvg(report));
    process.stderr.write(`The chart of the run is in ${file}\n`);
  }
  if (!report.ok) {
    const failed = report.guarantees.filter((g) => !g.ok);
    for (const g of failed) process.stderr.write(`connexease-kit broke a guarantee: ${g.text}\n`);
  }
  return report.ok ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${(error as Error).message}\n\n${USAGE}\n`);
  } else if (error instanceof RedisUnavailableError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(
      `The demo could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exitCode = 2;
}
