import { defineProject } from 'vitest/config';
import { workspaceSourceAlias } from '../../vitest.shared.ts';

export default defineProject({
  resolve: { alias: workspaceSourceAlias },
  test: {
    name: 'otel',
    include: ['test/**/*.test.ts'],
    // Real HTTP against the mock API and a real Prometheus exporter: generous on a shared machine.
    testTimeout: 30_000,
  },
});
