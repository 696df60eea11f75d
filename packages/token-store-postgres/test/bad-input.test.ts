import { inspect } from 'node:util';
import { ConnexeaseAuthError } from '@connexease-kit/auth-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTokenStore } from '../src/index.ts';
import {
  adminQuery,
  randomSchemaName,
  requireSharedPostgres,
  SHARED_DATABASE_URL,
} from './support/shared-postgres.ts';
import { namespace, rejectionOf, reserve, useStores } from './support/stores.ts';

const DAY_MS = 86_400_000;
const schemas: string[] = [];
function freshSchema(): string {
  const schema = randomSchemaName();
  schemas.push(schema);
  return schema;
}

beforeAll(() => requireSharedPostgres());
afterAll(async () => {
  for (const schema of schemas) await adminQuery(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
});

const storeFor = useStores({ commandTimeoutMs: 3000 });

function urlWith(changes: {
  username?: string;
  password?: string;
  port?: string;
  pathname?: string;
}): string {
  const url = new URL(SHARED_DATABASE_URL);
  Object.assign(url, changes);
  return url.toString();
}

describe('bad options', () => {
  it('are CONFIG_INVALID at once, before anything connects, and never repeat the URL', () => {
    const secretUrl = 'postgres://user:s3cret-password@127.0.0.1:1/db';
    const cases: Array<[unknown, RegExp]> = [
      [{}, /needs either `pool`/],
      [{ connectionString: 'mysql://user:s3cret-password@host/db' }, /postgres:\/\//],
      [{ connectionString: 'not a url s3cret-password' }, /not a valid URL/],
      [{ connectionString: secretUrl, schema: 'Bad-Schema' }, /schema must be/],
      [{ connectionString: secretUrl, tablePrefix: 'x'.repeat(21) }, /tablePrefix must be/],
      [{ connectionString: secretUrl, pollIntervalMs: 0 }, /pollIntervalMs/],
      [{ connectionString: secretUrl, maxConnections: 0 }, /maxConnections/],
      [{ connectionString: secretUrl, migrate: 'yes' }, /migrate must be/],
      [{ pool: { query: 'nope' } }, /node-postgres Pool/],
    ];
    for (const [options, message] of cases) {
      let thrown: unknown;
      try {
        createPostgresTokenStore(options as never);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, JSON.stringify(options)).toBeInstanceOf(ConnexeaseAuthError);
      expect((thrown as ConnexeaseAuthError).code).toBe('CONFIG_INVALID');
      expect((thrown as Error).message).toMatch(message);
      expect(inspect(thrown)).not.toContain('s3cret-password');
    }
  });
});

describe('a database that is down', () => {
  it('fails closed: STORE_UNAVAILABLE within the command timeout, nothing reserved, no password in the error', async () => {
    // Port 1 on the loopback: nothing listens there.
    const store = storeFor({ connectionString: urlWith({ port: '1', password: 's3cret-password' }) });
    const error = await rejectionOf(reserve(store, namespace(), { id: 'a', limit: 1, windowMs: DAY_MS }));
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(inspect(error, { depth: 5 })).not.toContain('s3cret-password');
    expect(JSON.stringify(error)).not.toContain('s3cret-password');

    const read = await rejectionOf(store.readToken(namespace()));
    expect(read.code).toBe('STORE_UNAVAILABLE');
  });

  it('a database that does not exist is STORE_UNAVAILABLE saying so', async () => {
    const store = storeFor({ connectionString: urlWith({ pathname: '/cxk_no_such_database' }) });
    const error = await rejectionOf(store.readToken(namespace()));
    expect(error.code).toBe('STORE_UNAVAILABLE');
    expect(String(error.message)).toMatch(/database does not exist/);
  });
});

describe('a role without CREATE', () => {
  const role = `cxk_role_${crypto.randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    await adminQuery(`CREATE ROLE ${role} LOGIN`);
  });
  afterAll(async () => {
    await adminQuery(`DROP OWNED BY ${role}`).catch(() => {});
    await adminQuery(`DROP ROLE IF EXISTS ${role}`).catch(() => {});
  });

  it('cannot create a new schema: CONFIG_INVALID saying what to grant or how to migrate as an owner', async () => {
    const store = storeFor({ connectionString: urlWith({ username: role }), schema: freshSchema() });
    const error = await rejectionOf(reserve(store, namespace(), { id: 'a', limit: 1, windowMs: DAY_MS }));
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(String(error.message)).toMatch(/may not create the store's tables/);
    expect(String(error.message)).toMatch(/GRANT CREATE/);
    expect(String(error.message)).toMatch(/migrate: false/);
  });

  it('cannot create tables in an existing schema; once an owner migrated, the same role works with migrate: false', async () => {
    const schema = freshSchema();
    await adminQuery(`CREATE SCHEMA ${schema}`);
    await adminQuery(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
    const roleUrl = urlWith({ username: role });
    const refused = storeFor({ connectionString: roleUrl, schema });
    expect((await rejectionOf(refused.readToken(namespace()))).code).toBe('CONFIG_INVALID');

    const owner = storeFor({ schema });
    await owner.migrate();
    await adminQuery(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
    await adminQuery(`GRANT USAGE ON ALL SEQUENCES IN SCHEMA ${schema} TO ${role}`);
    const service = storeFor({ connectionString: roleUrl, schema, migrate: false });
    const ns = namespace();
    expect(await reserve(service, ns, { id: 'a', limit: 1, windowMs: DAY_MS })).toMatchObject({
      granted: true,
      used: 1,
      limit: 1,
    });
    expect(await service.readLease(ns), 'the lease the reservation was made under').not.toBeNull();
  });
});

describe('a schema that already holds unrelated tables of the same names', () => {
  it('is refused with CONFIG_INVALID naming the table; nothing of it is changed', async () => {
    const schema = freshSchema();
    await adminQuery(`CREATE SCHEMA ${schema}`);
    await adminQuery(`CREATE TABLE ${schema}.connexease_tokens (id serial PRIMARY KEY, body text)`);
    await adminQuery(`INSERT INTO ${schema}.connexease_tokens (body) VALUES ('theirs')`);
    const store = storeFor({ schema });

    const error = await rejectionOf(store.readToken(namespace()));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(String(error.message)).toMatch(
      new RegExp(`${schema}\\.connexease_tokens already exists and is not a connexease-kit table`),
    );
    expect(String(error.message)).toMatch(/tablePrefix/);
    expect(await adminQuery(`SELECT body FROM ${schema}.connexease_tokens`)).toEqual([{ body: 'theirs' }]);
    const ours = await adminQuery(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`,
      [schema],
    );
    expect(ours).toEqual([{ table_name: 'connexease_tokens' }]);

    // Another prefix in the same schema is fine.
    const other = storeFor({ schema, tablePrefix: 'cxk_' });
    expect(await other.readToken(namespace())).toBeNull();
  });

  it('a foreign meta table is refused too', async () => {
    const schema = freshSchema();
    await adminQuery(`CREATE SCHEMA ${schema}`);
    await adminQuery(`CREATE TABLE ${schema}.connexease_meta (key text, value text)`);
    const error = await rejectionOf(storeFor({ schema }).readToken(namespace()));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(String(error.message)).toMatch(/connexease_meta already exists and is not a connexease-kit table/);
  });
});

describe('migrate: false on a database without the tables', () => {
  it('is CONFIG_INVALID pointing at postgresMigrationSql, and creates nothing', async () => {
    const schema = freshSchema();
    const store = storeFor({ schema, migrate: false });
    const error = await rejectionOf(store.readToken(namespace()));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(String(error.message)).toMatch(/postgresMigrationSql/);
    expect(await adminQuery(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema])).toEqual([]);
  });
});
