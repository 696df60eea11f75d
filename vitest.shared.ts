import { fileURLToPath } from 'node:url';

type AliasOptions = { find: RegExp; replacement: string }[];

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));
const testServers = fileURLToPath(new URL('./test-servers/src/index.ts', import.meta.url));
const testSupport = fileURLToPath(new URL('./test-support/src/index.ts', import.meta.url));

/**
 * Tests run against every workspace package's source, never a stale `dist`: one module instance per
 * package in a test run (so `instanceof ConnexeaseAuthError` holds across packages) and no build
 * needed before `vitest`. Child processes the tests spawn (fleet replicas) use the built packages.
 */
export const workspaceSourceAlias: AliasOptions = [
  { find: /^@connexease-kit\/test-servers$/, replacement: testServers },
  { find: /^@connexease-kit\/test-support$/, replacement: testSupport },
  { find: /^@connexease-kit\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/index.ts` },
  // Subpath entries (`@connexease-kit/auth-core/transport`) live in `src/<subpath>/index.ts`.
  { find: /^@connexease-kit\/([a-z-]+)\/([a-z-]+)$/, replacement: `${packagesDir}$1/src/$2/index.ts` },
];
