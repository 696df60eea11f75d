import { defineProject } from 'vitest/config';
import { TEST_FILE_WORKERS, workspaceSourceAlias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceSourceAlias },
  test: {
    name: 'mock-server',
    include: ['test/**/*.test.ts'],
    maxWorkers: TEST_FILE_WORKERS,
  },
});
