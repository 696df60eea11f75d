export type { ConformanceCapabilities, ConformanceOptions, KeyTtl } from './options.ts';
export { randomNamespace } from './random-namespace.ts';
export { runTokenStoreConformance } from './run-conformance.ts';
export { type EventuallyOptions, eventually } from './timing.ts';
