import { assertSupportedNode } from '@connexease-kit/auth-core/store';

// First, so auth-core (which checks the Node.js version as it loads) runs before any other dependency.
assertSupportedNode();

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
