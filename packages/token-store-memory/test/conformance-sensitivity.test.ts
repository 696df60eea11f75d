import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect, test } from 'vitest';
import { control, sabotages, watchedTitles } from './sabotage/sabotaged-stores.ts';

interface JsonAssertion {
  ancestorTitles: string[];
  title: string;
  status: 'passed' | 'failed' | 'skipped' | 'pending' | 'todo';
}

const sabotageDir = fileURLToPath(new URL('./sabotage/', import.meta.url));
const vitestBin = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Runs the watched conformance tests against every sabotaged store in a child vitest; returns the outcomes. */
async function runSabotagedSuite(): Promise<JsonAssertion[]> {
  const outDir = await mkdtemp(join(tmpdir(), 'cxk-sabotage-'));
  const outputFile = join(outDir, 'results.json');
  try {
    // Each sabotaged store runs only the tests that must catch it; the control store runs all of them.
    const pattern = [control, ...sabotages]
      .map(({ name, mustFail }) => {
        const titles = (mustFail.length > 0 ? mustFail : watchedTitles).map(escapeRegExp).join('|');
        return `^TokenStore conformance: ${escapeRegExp(name)} .*(${titles})$`;
      })
      .join('|');
    await promisify(execFile)(
      process.execPath,
      [
        vitestBin,
        'run',
        '--config',
        join(sabotageDir, 'vitest.config.ts'),
        '--reporter=json',
        `--outputFile=${outputFile}`,
        `--testNamePattern=${pattern}`,
      ],
      { cwd: sabotageDir, env: { ...process.env, FORCE_COLOR: '0' } },
    ).catch((error: { code?: number }) => {
      // Exit code 1 means "some tests failed": expected, the stores are broken on purpose.
      if (error.code !== 1) throw error;
    });
    const report = JSON.parse(await readFile(outputFile, 'utf8')) as {
      testResults: Array<{ assertionResults: JsonAssertion[] }>;
    };
    return report.testResults.flatMap((file) => file.assertionResults);
  } finally {
    await rm(outDir, { recursive: true, force: true });
  }
}

test('the conformance suite catches every planted bug, and the unbroken store passes the same tests', async () => {
  const results = await runSabotagedSuite();
  const outcome = (store: string, title: string): string | undefined =>
    results.find((r) => r.ancestorTitles[0] === `TokenStore conformance: ${store}` && r.title === title)
      ?.status;

  for (const title of watchedTitles) {
    expect(outcome(control.name, title), `control store: ${title}`).toBe('passed');
  }
  for (const sabotage of sabotages) {
    for (const title of sabotage.mustFail) {
      expect(outcome(sabotage.name, title), `${sabotage.name}: ${title}`).toBe('failed');
    }
  }
}, 60_000);
