import { assertSupportedNode } from '@connexease-kit/auth-core/store';

// First, so auth-core (which checks the Node.js version as it loads) runs before any other dependency.
assertSupportedNode();

export { createMemoryTokenStore } from './memory-token-store.ts';
export type { MemoryClock, MemoryTokenStore, MemoryTokenStoreOptions, RecordTtl } from './options.ts';
