import { type PrivatePgBouncer, startPrivatePgBouncer } from '@connexease-kit/test-servers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresTokenStore, type PostgresTokenStore } from '../src/index.ts';
import { SHARED_DATABASE_URL, useRandomSchema } from './support/shared-postgres.ts';
import { namespace, reserve } from './support/stores.ts';

const schema = useRandomSchema();
const DAY_MS = 86_400_000;
/** No poll within the test's time: only NOTIFY can wake the waiter. */
const NO_POLL_MS = 600_000;

// A real PgBouncer in transaction pooling in front of the shared PostgreSQL, started for this file.
let bouncer: PrivatePgBouncer;
const stores: PostgresTokenStore[] = [];
beforeAll(async () => {
  const shared = new URL(SHARED_DATABASE_URL);
  bouncer = await startPrivatePgBouncer({
    host: shared.hostname,
    port: Number(shared.port || 5432),
    user: decodeURIComponent(shared.username || 'postgres'),
    database: shared.pathname.slice(1),
  });
}, 30_000);
afterAll(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await bouncer?.close();
});

function throughBouncer(listenDirect: boolean): PostgresTokenStore {
  const store = createPostgresTokenStore({
    connectionString: bouncer.url,
    schema,
    pollIntervalMs: NO_POLL_MS,
    ...(listenDirect ? { listenConnectionString: SHARED_DATABASE_URL } : {}),
  });
  stores.push(store);
  return store;
}

describe('behind PgBouncer in transaction pooling', () => {
  it('migrates, grants exactly the limit to racing stores, fences and writes; with listenConnectionString, NOTIFY wakes a waiter', async () => {
    const fleet = Array.from({ length: 4 }, () => throughBouncer(true));
    const ns = namespace();
    const racers = await Promise.all(fleet.map((store) => store.acquireLease(ns, { ttlMs: 60_000 })));
    expect(racers.filter((lease) => lease !== null)).toHaveLength(1);
    const leader = fleet[racers.findIndex((lease) => lease !== null)]!;
    const lease = racers.find((lease) => lease !== null)!;

    const decisions = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        leader.reserveIssue(ns, { id: `r${index}`, limit: 3, windowMs: DAY_MS, lease }),
      ),
    );
    expect(decisions.filter((decision) => decision.granted)).toHaveLength(3);

    const waiter = fleet.find((store) => store !== leader)!;
    const wait = waiter.waitForToken(ns, { known: null, timeoutMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = Date.now();
    const record = { value: 'jwt.via.bouncer', issuedAt: now, expiresAt: now + DAY_MS, fence: lease.fence };
    const startedAt = Date.now();
    expect(await leader.writeToken(ns, lease, record)).toBe(true);
    expect(await wait).toEqual(record);
    expect(Date.now() - startedAt, 'woken by NOTIFY, not by the (10 minute) poll').toBeLessThan(30_000);
  });

  it('without listenConnectionString the store still works (the poll is the safety net)', async () => {
    const store = throughBouncer(false);
    const ns = namespace();
    expect(await reserve(store, ns, { id: 'a', limit: 1, windowMs: DAY_MS })).toMatchObject({
      granted: true,
    });
    expect(await store.readToken(ns)).toBeNull();
  });
});
