export { createMemoryTokenStore } from './memory-token-store.ts';
export type { MemoryClock, MemoryTokenStore, MemoryTokenStoreOptions, RecordTtl } from './options.ts';
