import { defineProject } from 'vitest/config';
import { TEST_FILE_WORKERS, workspaceSourceAlias } from '../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceSourceAlias },
  test: {
    name: 'integration',
    include: ['test/**/*.test.ts'],
    maxWorkers: TEST_FILE_WORKERS,
  },
});
