import { defineProject } from 'vitest/config';
import { workspaceSourceAlias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceSourceAlias },
  test: {
    name: 'token-store-postgres',
    include: ['test/**/*.test.ts'],
  },
});
