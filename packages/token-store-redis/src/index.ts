export { type RedisNamespaceKeys, redisTokenStoreKeys } from './keys.ts';
export type {
  RedisKeyKind,
  RedisKeyTtl,
  RedisTokenStore,
  RedisTokenStoreClientOptions,
  RedisTokenStoreClock,
  RedisTokenStoreCommonOptions,
  RedisTokenStoreLogger,
  RedisTokenStoreOptions,
  RedisTokenStoreUrlOptions,
} from './options.ts';
export { createRedisTokenStore } from './redis-token-store.ts';
