import { assertSupportedNode } from '@connexease-kit/auth-core/store';

// First, so auth-core (which checks the Node.js version as it loads) runs before any other dependency.
assertSupportedNode();

export type { ConformanceCapabilities, ConformanceOptions, KeyTtl } from './options.ts';
export { randomNamespace } from './random-namespace.ts';
export { runTokenStoreConformance } from './run-conformance.ts';
export { type EventuallyOptions, eventually } from './timing.ts';
