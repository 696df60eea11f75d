export {
  baseServerArgs,
  type PrivateRedis,
  type PrivateRedisOptions,
  startPrivateRedis,
} from './private-redis.ts';
export { type RedisClusterHandle, type RedisClusterOptions, startRedisCluster } from './redis-cluster.ts';
export {
  answersPing,
  freePort,
  INSTALL_HINT,
  makeTempDir,
  removeDir,
  spawnRedisServer,
  stopProcess,
  waitForPing,
} from './redis-process.ts';
export { requireSharedRedis, SHARED_REDIS_URL } from './shared-redis.ts';
