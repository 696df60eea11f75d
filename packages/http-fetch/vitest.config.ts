import { defineProject } from 'vitest/config';
import { TEST_FILE_WORKERS, workspaceSourceAlias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceSourceAlias },
  test: {
    name: 'http-fetch',
    include: ['test/**/*.test.ts'],
    maxWorkers: TEST_FILE_WORKERS,
    // Real HTTP against the mock API and a 1,000-request run: generous on a shared, loaded machine.
    testTimeout: 30_000,
  },
});
