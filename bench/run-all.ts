/**
 * Runs every benchmark in this folder, one after another, each in its own Node process so one
 * cannot warm up or slow down the next. Each prints its own ratios against its baseline; this
 * script only adds a header per benchmark and fails if one of them crashes (never on a ratio).
 *
 *   pnpm bench                       # all of them (the Redis ones need Redis on REDIS_URL or 127.0.0.1:6379)
 *   pnpm bench -- get-authorization  # only those whose file name contains one of the words
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2).filter((arg) => arg !== '--');
const benches = readdirSync(here)
  .filter((file) => file.endsWith('.ts') && file !== 'run-all.ts' && !file.includes('support'))
  .filter((file) => filters.length === 0 || filters.some((word) => file.includes(word)))
  .sort();

let failed = 0;
for (const file of benches) {
  console.log(`\n=== bench/${file} ===`);
  const result = spawnSync(process.execPath, [file], { cwd: here, stdio: 'inherit' });
  if (result.status !== 0) {
    failed += 1;
    console.log(`bench/${file} exited with ${result.status ?? result.signal}`);
  }
}
console.log(`\n${benches.length - failed} benchmarks ran, ${failed} crashed.`);
process.exitCode = failed === 0 ? 0 : 1;
