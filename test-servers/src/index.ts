export { POSTGRES_INSTALL_HINT, postgresBinDir } from './postgres-binaries.ts';
export { PGBOUNCER_INSTALL_HINT, type PrivatePgBouncer, startPrivatePgBouncer } from './private-pgbouncer.ts';
export { type PrivatePostgres, startPrivatePostgres } from './private-postgres.ts';
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
export {
  type RedisAddress,
  type RedisSentinelHandle,
  type RedisSentinelOptions,
  startRedisSentinel,
} from './redis-sentinel.ts';
export { postgresQuery, requireSharedPostgres, SHARED_DATABASE_URL } from './shared-postgres.ts';
export { requireSharedRedis, SHARED_REDIS_URL } from './shared-redis.ts';
export { tempDirectory } from './temp-directory.ts';
