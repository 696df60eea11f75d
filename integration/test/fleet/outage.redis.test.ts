import { describeOutage } from './scenarios/outage.ts';
import { redisStore } from './support/redis-store.ts';

describeOutage(redisStore);
