import { describe, expect, it } from 'vitest';
import { postgresMigrationSql } from '../src/index.ts';
import { adminQuery, useRandomSchema } from './support/shared-postgres.ts';
import { namespace, reserve, useStores } from './support/stores.ts';

const schema = useRandomSchema();
const storeFor = useStores({ schema });
const DAY_MS = 86_400_000;

describe('migrate', () => {
  it('ten stores starting at once on an empty schema: their migrations queue on one advisory lock, every first call succeeds, one meta row', async () => {
    const stores = Array.from({ length: 10 }, () => storeFor({ tablePrefix: 'herd_' }));
    const ns = namespace();
    const reads = await Promise.all(stores.map((store) => store.readToken(ns)));
    expect(reads).toEqual(Array(10).fill(null));
    const meta = await adminQuery(`SELECT kit, schema_version FROM ${schema}.herd_meta`);
    expect(meta).toEqual([{ kit: 'connexease-kit token store', schema_version: 1 }]);
    await stores[0]!.migrate();
    await stores[1]!.migrate();
    expect(await adminQuery(`SELECT count(*)::int AS n FROM ${schema}.herd_meta`)).toEqual([{ n: 1 }]);
  });

  it('postgresMigrationSql() is the same migration: a DBA applies it (twice is harmless) and stores run with migrate: false', async () => {
    const sql = postgresMigrationSql({ schema, tablePrefix: 'dba_' });
    expect(sql).toContain(`CREATE TABLE IF NOT EXISTS ${schema}.dba_quota`);
    expect(sql).toContain('clock_timestamp()');
    await adminQuery(sql);
    await adminQuery(sql);
    const store = storeFor({ tablePrefix: 'dba_', migrate: false });
    const ns = namespace();
    expect(await reserve(store, ns, { id: 'a', limit: 1, windowMs: DAY_MS })).toMatchObject({
      granted: true,
    });
    const tables = await adminQuery<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE 'dba\\_%' ORDER BY 1`,
      [schema],
    );
    expect(tables.map((row) => row.table_name)).toEqual([
      'dba_blocks',
      'dba_leases',
      'dba_meta',
      'dba_quota',
      'dba_quota_markers',
      'dba_tokens',
    ]);
  });
});

describe('expiry and the sweep', () => {
  it('reads ignore an expired row at once; sweep() deletes every expired row and nothing else', async () => {
    const store = storeFor({ tablePrefix: 'sweep_' });
    const ns = namespace();
    const lease = await store.acquireLease(ns, { ttlMs: 300 });
    const now = Date.now();
    await store.writeToken(ns, lease!, {
      value: 'jwt.x.y',
      issuedAt: now,
      expiresAt: now + 300,
      fence: lease!.fence,
    });
    await store.writeBlock(ns, { code: 'AGENT_BANNED', status: 403, reason: 'banned', createdAt: now }, 300);
    const kept = namespace();
    await store.writeBlock(kept, { code: 'AGENT_BANNED', status: 403, reason: 'banned', createdAt: now });

    await expect.poll(() => store.readToken(ns), { timeout: 10_000 }).toBeNull();
    await expect.poll(() => store.readBlock(ns), { timeout: 10_000 }).toBeNull();
    expect(await store.readLease(ns)).toBeNull();
    // Still there until swept: expiry is honoured by reads, not by the database.
    expect((await store.inspectTtls(ns)).map((row) => row.kind).sort()).toEqual(['block', 'lease', 'token']);

    expect(await store.sweep()).toBeGreaterThanOrEqual(3);
    expect(await store.inspectTtls(ns)).toEqual([]);
    expect(await store.readBlock(kept)).toMatchObject({ code: 'AGENT_BANNED' });
  });
});
