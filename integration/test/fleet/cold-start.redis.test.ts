import { describeColdStart } from './scenarios/cold-start.ts';
import { redisStore } from './support/redis-store.ts';

describeColdStart(redisStore);
