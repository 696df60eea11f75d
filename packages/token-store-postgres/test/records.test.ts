import type { TokenRecord } from '@connexease-kit/auth-core/store';
import { describe, expect, it } from 'vitest';
import { adminQuery, useRandomSchema } from './support/shared-postgres.ts';
import { namespace, useStores } from './support/stores.ts';

const schema = useRandomSchema();
const storeFor = useStores({ schema });
const DAY_MS = 86_400_000;

describe('token records', () => {
  it("round-trip the fleet's last 401-driven refresh (unauthorizedRefresh), and leave it out when absent", async () => {
    const store = storeFor();
    const peer = storeFor();
    const ns = namespace();
    const lease = await store.acquireLease(ns, { ttlMs: 60_000 });
    const now = Date.now();
    const plain: TokenRecord = {
      value: 'jwt.a.b',
      issuedAt: now,
      expiresAt: now + DAY_MS,
      fence: lease!.fence,
    };
    expect(await store.writeToken(ns, lease!, plain)).toBe(true);
    expect(await peer.readToken(ns)).toEqual(plain);

    const spaced = {
      ...plain,
      value: 'jwt.c.d',
      unauthorizedRefresh: { at: now - 5000, intervalMs: 120_000 },
    };
    expect(await store.writeToken(ns, lease!, spaced)).toBe(true);
    expect(await peer.readToken(ns)).toEqual(spaced);
  });

  it('keep the token value out of every other table', async () => {
    const store = storeFor();
    const ns = namespace();
    const lease = await store.acquireLease(ns, { ttlMs: 60_000 });
    const now = Date.now();
    const value = `jwt.${crypto.randomUUID()}.secret`;
    await store.writeToken(ns, lease!, {
      value,
      issuedAt: now,
      expiresAt: now + DAY_MS,
      fence: lease!.fence,
    });
    await store.reserveIssue(ns, { id: 'r', limit: 5, windowMs: DAY_MS, lease: lease! });
    for (const table of ['leases', 'quota', 'quota_markers', 'blocks', 'meta']) {
      const rows = await adminQuery<{ t: string }>(
        `SELECT row_to_json(x)::text AS t FROM ${schema}.connexease_${table} x`,
      );
      for (const { t } of rows) expect(t, table).not.toContain(value);
    }
  });
});
