import { describeRevocation } from './scenarios/revocation.ts';
import { postgresStore } from './support/postgres-store.ts';

describeRevocation(postgresStore);
