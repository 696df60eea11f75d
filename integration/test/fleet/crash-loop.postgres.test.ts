import { describeCrashLoop } from './scenarios/crash-loop.ts';
import { postgresStore } from './support/postgres-store.ts';

describeCrashLoop(postgresStore);
