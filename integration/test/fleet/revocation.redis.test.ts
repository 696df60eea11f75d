import { describeRevocation } from './scenarios/revocation.ts';
import { redisStore } from './support/redis-store.ts';

describeRevocation(redisStore);
