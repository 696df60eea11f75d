import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Each project sets `maxWorkers` itself (TEST_FILE_WORKERS in vitest.shared.ts).
    projects: ['packages/*', 'integration', 'demo'],
  },
});
