import { fileURLToPath } from 'node:url';

type AliasOptions = { find: RegExp; replacement: string }[];

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
const testServers = fileURLToPath(new URL('./test-servers/src/index.ts', import.meta.url));

/**
 * Tests run against every workspace package's source, never a stale `dist`: one module instance per
 * package in a test run (so `instanceof ConnexeaseAuthError` holds across packages) and no build
 * needed before `vitest`. Child processes the tests spawn (fleet replicas) use the built packages.
 */
export const workspaceSourceAlias: AliasOptions = [
  { find: /^@connexease-kit\/test-servers$/, replacement: testServers },
  { find: /^@connexease-kit\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
];
