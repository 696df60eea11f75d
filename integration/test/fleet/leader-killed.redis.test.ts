import { describeLeaderKilled } from './scenarios/leader-killed.ts';
import { redisStore } from './support/redis-store.ts';

describeLeaderKilled(redisStore);
