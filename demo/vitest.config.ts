import { defineProject } from 'vitest/config';
import { TEST_FILE_WORKERS } from '../vitest.shared.ts';

export default defineProject({
  test: {
    name: 'demo',
    include: ['demo.test.ts'],
    maxWorkers: TEST_FILE_WORKERS,
    // Each case runs the whole demo (two scenario runs, child processes with --redis) on a shared machine.
    testTimeout: 120_000,
  },
});
