import { assertSupportedNode } from '@connexease-kit/auth-core/store';

// First, so auth-core (which checks the Node.js version as it loads) runs before any other dependency.
assertSupportedNode();

export { createFileTokenStore, type FileTokenStore } from './file-token-store.ts';
export { defaultDirectory, type FileTokenStoreOptions } from './options.ts';
export type { RecordTtl } from './record-ttls.ts';
