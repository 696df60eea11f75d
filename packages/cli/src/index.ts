export { EXIT_CODES, type ExitCodes } from './exit-codes.ts';
export type { CliInput, CliIo } from './io.ts';
export { run } from './run.ts';
export type { StatusReport } from './status-report.ts';
export type { StoreDescription } from './store.ts';
