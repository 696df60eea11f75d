import { ConnexeaseAuthError } from './errors.ts';

/** The oldest Node.js major every published connexease-kit package runs on (ky 2 needs it too). */
export const MINIMUM_NODE_MAJOR = 22;

/**
 * Fails with `CONFIG_INVALID` naming the Node.js version needed when this process runs an older one,
 * so an import on Node 20 says what to do instead of failing later in a dependency (an older ky npm
 * picked, a missing API). auth-core calls it as it loads, and every package imports auth-core first.
 * Outside Node.js (no `process.versions.node`) there is nothing to check.
 */
export function assertSupportedNode(version: string | undefined = globalThis.process?.versions?.node): void {
  if (typeof version !== 'string') return;
  const major = Number.parseInt(version, 10);
  if (!(major < MINIMUM_NODE_MAJOR)) return;
  throw new ConnexeaseAuthError(
    'CONFIG_INVALID',
    `connexease-kit needs Node.js ${MINIMUM_NODE_MAJOR} or newer, and this is Node.js ${version}: ` +
      `upgrade Node.js (every @connexease-kit package says "engines": { "node": ">=${MINIMUM_NODE_MAJOR}" })`,
  );
}
