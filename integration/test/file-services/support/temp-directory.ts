import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';

/** A fresh directory under the system temp dir, removed when the current test finishes. */
export function tempDirectory(label = 'store'): string {
  const directory = mkdtempSync(join(tmpdir(), `cxk-file-${label}-`));
  onTestFinished(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
