/** Runs the README's diagnostics channel snippet as it is, then makes a provider report a low quota. */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, test, vi } from 'vitest';
import { createFleet, type Fleet } from './support/provider-harness.ts';

const packageDir = fileURLToPath(new URL('../', import.meta.url));
let fleet: Fleet | undefined;
let dir: string | undefined;

afterEach(async () => {
  await fleet?.closeAll();
  vi.restoreAllMocks();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** The first `ts` block after `heading`. */
function snippetAfter(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n${heading}\n`);
  if (start === -1) throw new Error(`README has no "${heading}" heading`);
  const open = markdown.indexOf('```ts\n', start) + '```ts\n'.length;
  return markdown.slice(open, markdown.indexOf('\n```', open) + 1);
}

test('the "Diagnostics channels" snippet logs a low quota from any provider, with no onEvent', async () => {
  const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
  const snippet = snippetAfter(readme, '### Diagnostics channels');
  expect(snippet).toContain('DIAGNOSTICS_CHANNELS.event');
  dir = join(packageDir, '.tmp', `readme-${process.pid}-${Date.now()}`);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'snippet.ts');
  await writeFile(file, snippet);
  await import(file);

  const warned: string[] = [];
  vi.spyOn(console, 'warn').mockImplementation((message: string) => void warned.push(message));
  fleet = createFleet({ provider: { quotaLowRatio: 1, onEvent: undefined } });
  await fleet.replica().getAuthorization();
  expect(warned).toEqual(['JWT quota low: 24 of 25 left']);
});
