import { describeColdStart } from './scenarios/cold-start.ts';
import { postgresStore } from './support/postgres-store.ts';

describeColdStart(postgresStore);
