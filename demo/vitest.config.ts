import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    name: 'demo',
    include: ['demo.test.ts'],
    // Each case runs the whole demo (two scenario runs, child processes with --redis) on a shared machine.
    testTimeout: 120_000,
  },
});
