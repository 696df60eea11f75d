import { defineProject } from 'vitest/config';
import { workspaceSourceAlias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceSourceAlias },
  test: {
    name: 'http-ky',
    include: ['test/**/*.test.ts'],
    // Real HTTP, ky's retry delays and a 1,000-request run: generous on a shared, loaded machine.
    testTimeout: 30_000,
  },
});
