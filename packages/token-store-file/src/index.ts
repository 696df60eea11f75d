export { createFileTokenStore, type FileTokenStore } from './create-file-token-store.ts';
export { defaultDirectory, type FileTokenStoreOptions } from './options.ts';
export type { RecordTtl } from './record-ttls.ts';
