import { describeStoreForgets } from './scenarios/store-forgets.ts';
import { postgresStore } from './support/postgres-store.ts';

describeStoreForgets(postgresStore, 'postgres 7');
