import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: ['packages/*', 'integration', 'demo'],
    // Most integration tests wait on real servers and child processes rather than the CPU; vitest's
    // default (cores - 1) would run the test files one at a time on a 2-core CI machine.
    maxWorkers: 3,
  },
});
