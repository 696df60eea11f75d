import { describeCrashLoop } from './scenarios/crash-loop.ts';
import { redisStore } from './support/redis-store.ts';

describeCrashLoop(redisStore);
