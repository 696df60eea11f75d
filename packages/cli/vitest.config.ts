import { defineProject } from 'vitest/config';
import { TEST_FILE_WORKERS, workspaceSourceAlias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceSourceAlias },
  test: {
    name: 'cli',
    include: ['test/**/*.test.ts'],
    maxWorkers: TEST_FILE_WORKERS,
    // Real Redis, real HTTP and PBKDF2 fingerprints on a shared 2-core machine: generous, never tight.
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
