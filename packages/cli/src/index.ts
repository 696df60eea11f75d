import { assertSupportedNode } from '@connexease-kit/auth-core/transport';

// First, so auth-core (which checks the Node.js version as it loads) runs before any other dependency.
assertSupportedNode();

export { EXIT_CODES, type ExitCodes } from './exit-codes.ts';
export type { CliInput, CliIo } from './io.ts';
export { run } from './run.ts';
export type { StatusReport } from './status-report.ts';
export type { StoreDescription } from './store.ts';
