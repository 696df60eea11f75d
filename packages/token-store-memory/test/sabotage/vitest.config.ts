import { defineConfig, type ViteUserConfig } from 'vitest/config';
import { workspaceSourceAlias } from '../../../../vitest.shared.ts';

/** Runs the conformance suite against deliberately broken stores; started by conformance-sensitivity.test.ts. */
const config: ViteUserConfig = defineConfig({
  resolve: { alias: workspaceSourceAlias },
  test: {
    root: new URL('.', import.meta.url).pathname,
    include: ['conformance.sabotage.ts'],
  },
});

export default config;
