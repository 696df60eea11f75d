import { fileURLToPath } from 'node:url';

/**
 * Test files run at once, in every project. Most tests wait on real servers and child processes rather
 * than the CPU. Vitest 5 reads `maxWorkers` per project: set at the root only, it does not reach them,
 * and each project ran its files one at a time.
 */
export const TEST_FILE_WORKERS = 3;

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
