import { describeLeaderKilled } from './scenarios/leader-killed.ts';
import { postgresStore } from './support/postgres-store.ts';

describeLeaderKilled(postgresStore);
