import type { TokenRecord } from '@connexease-kit/auth-core/store';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { createPostgresTokenStore, type PostgresPool } from '../src/index.ts';
import { adminQuery, SHARED_DATABASE_URL, useRandomSchema } from './support/shared-postgres.ts';
import { namespace, useStores } from './support/stores.ts';

const schema = useRandomSchema();
/** No poll within any test's time: only NOTIFY or the expiry timer can wake a waiter. */
const NO_POLL_MS = 600_000;
const storeFor = useStores({ schema, pollIntervalMs: NO_POLL_MS });

function record(fence: number, expiresInMs: number): TokenRecord {
  const now = Date.now();
  return { value: `jwt.${crypto.randomUUID()}`, issuedAt: now, expiresAt: now + expiresInMs, fence };
}

async function listenSessions(channel: string): Promise<number> {
  const rows = await adminQuery<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE query = $1 AND application_name = 'connexease-kit:listen'`,
    [`LISTEN "${channel}"`],
  );
  return Number(rows[0]?.n);
}

describe('LISTEN/NOTIFY', () => {
  it('one dedicated LISTEN connection per store, however many waiters and namespaces', async () => {
    const store = storeFor({ tablePrefix: 'one_' });
    const namespaces = Array.from({ length: 5 }, namespace);
    const waits = namespaces.flatMap((ns) =>
      Array.from({ length: 4 }, () => store.waitForToken(ns, { known: null, timeoutMs: 60_000 })),
    );
    await expect.poll(() => listenSessions(`${schema}.one_changed`), { timeout: 10_000 }).toBe(1);

    for (const ns of namespaces) {
      const lease = await store.acquireLease(ns, { ttlMs: 60_000 });
      await store.writeToken(ns, lease!, record(lease!.fence, 60_000));
    }
    const woken = await Promise.all(waits);
    expect(woken.every((current) => current !== null)).toBe(true);
    expect(await listenSessions(`${schema}.one_changed`)).toBe(1);
    await store.close();
    await expect.poll(() => listenSessions(`${schema}.one_changed`), { timeout: 10_000 }).toBe(0);
  });

  it('the payload is the namespace, on the channel <schema>.<prefix>changed, sent only by a write that committed', async () => {
    const store = storeFor();
    const ns = namespace();
    const client = new pg.Client({ connectionString: SHARED_DATABASE_URL });
    await client.connect();
    const seen: Array<{ channel: string; payload?: string }> = [];
    client.on('notification', (message) => seen.push(message));
    await client.query(`LISTEN "${schema}.connexease_changed"`);
    try {
      const lease = await store.acquireLease(ns, { ttlMs: 60_000 });
      const forged = { ...lease!, id: 'not-the-holder' };
      expect(await store.writeToken(ns, forged, record(lease!.fence, 60_000))).toBe(false);
      const written = record(lease!.fence, 60_000);
      expect(await store.writeToken(ns, lease!, written)).toBe(true);
      expect(await store.discardToken(ns, 'another value')).toBe(false);
      expect(await store.discardToken(ns, written.value)).toBe(true);

      await expect.poll(() => seen.length, { timeout: 5000 }).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toEqual([
        expect.objectContaining({ channel: `${schema}.connexease_changed`, payload: ns }),
        expect.objectContaining({ channel: `${schema}.connexease_changed`, payload: ns }),
      ]);
      for (const message of seen) expect(message.payload).not.toContain(written.value);
    } finally {
      await client.end();
    }
  });

  it('a waiter wakes when the known token expires, with no notification and no poll', async () => {
    const store = storeFor();
    const ns = namespace();
    const lease = await store.acquireLease(ns, { ttlMs: 60_000 });
    const known = record(lease!.fence, 800);
    expect(await store.writeToken(ns, lease!, known)).toBe(true);

    const startedAt = Date.now();
    const current = await store.waitForToken(ns, { known, timeoutMs: 60_000 });
    expect(current).toBeNull();
    expect(Date.now() - startedAt, 'woken by the expiry, long before the 60 s timeout').toBeLessThan(30_000);
  });

  it('after the LISTEN connection is killed, the store listens again and NOTIFY wakes waiters', async () => {
    const store = storeFor({ tablePrefix: 'killed_' });
    const first = namespace();
    const firstWait = store.waitForToken(first, { known: null, timeoutMs: 60_000 });
    await expect.poll(() => listenSessions(`${schema}.killed_changed`), { timeout: 10_000 }).toBe(1);
    await adminQuery(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = $1`, [
      `LISTEN "${schema}.killed_changed"`,
    ]);
    await expect.poll(() => listenSessions(`${schema}.killed_changed`), { timeout: 20_000 }).toBe(1);

    const ns = namespace();
    const wait = store.waitForToken(ns, { known: null, timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const lease = await store.acquireLease(ns, { ttlMs: 60_000 });
    const written = record(lease!.fence, 60_000);
    await store.writeToken(ns, lease!, written);
    expect(await wait).toEqual(written);

    const firstLease = await store.acquireLease(first, { ttlMs: 60_000 });
    await store.writeToken(first, firstLease!, record(firstLease!.fence, 60_000));
    expect(await firstWait).not.toBeNull();
  });

  it('listenConnectionString: LISTEN on its own session connection when the pool cannot (PgBouncer in transaction pooling)', async () => {
    const pool = new pg.Pool({ connectionString: SHARED_DATABASE_URL });
    // A pool that says nothing about where it connects, as one behind a pooler would be treated.
    const opaque: PostgresPool = {
      query: (text, values) => pool.query(text, values),
      connect: () => pool.connect(),
      end: () => pool.end(),
      on: (event, listener) => pool.on(event, listener),
    };
    const store = createPostgresTokenStore({
      pool: opaque,
      schema,
      tablePrefix: 'bouncer_',
      pollIntervalMs: NO_POLL_MS,
      listenConnectionString: SHARED_DATABASE_URL,
    });
    try {
      const ns = namespace();
      const wait = store.waitForToken(ns, { known: null, timeoutMs: 60_000 });
      await expect.poll(() => listenSessions(`${schema}.bouncer_changed`), { timeout: 10_000 }).toBe(1);
      const lease = await store.acquireLease(ns, { ttlMs: 60_000 });
      const written = record(lease!.fence, 60_000);
      await store.writeToken(ns, lease!, written);
      expect(await wait).toEqual(written);
    } finally {
      await store.close();
      await pool.end();
    }
  });
});
