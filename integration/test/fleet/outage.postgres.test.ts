import { describeOutage } from './scenarios/outage.ts';
import { postgresStore } from './support/postgres-store.ts';

describeOutage(postgresStore);
