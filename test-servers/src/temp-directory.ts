import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A fresh directory under the system temp dir, named after `label`; `cleanUpAfter` gets the function that
 * removes it (pass vitest's `onTestFinished`). This package does not import vitest itself: the
 * benchmarks load it with plain Node.
 */
export function tempDirectory(label: string, cleanUpAfter: (cleanup: () => void) => void): string {
  const directory = mkdtempSync(join(tmpdir(), `cxk-${label}-`));
  cleanUpAfter(() => rmSync(directory, { recursive: true, force: true }));
  return directory;
}
