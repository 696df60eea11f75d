import { createConnexeaseClient } from '@connexease-kit/http-ky';
import { startMockServer } from '@connexease-kit/mock-server';
import { type PrivateRedis, startPrivateRedis } from '@connexease-kit/test-servers';
import { eventually } from '@connexease-kit/token-store-conformance';
import { createRedisTokenStore } from '@connexease-kit/token-store-redis';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const USERS = 150;

/** Active timers of this process (`setTimeout`/`setInterval` handles). */
function timers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

describe('many API users on one store: nothing grows per user but the keys', () => {
  let server: PrivateRedis;
  let admin: Redis;

  beforeAll(async () => {
    server = await startPrivateRedis();
    admin = new Redis(server.url);
  });

  afterAll(async () => {
    admin?.disconnect();
    await server?.close();
  });

  const connectionsNamed = async (name: string): Promise<number> =>
    String(await admin.client('LIST'))
      .split('\n')
      .filter((line) => line.includes(` name=${name} `)).length;

  it(`${USERS} users x 2 replicas: one connection + one subscriber per store, no idle timers or subscriptions, one JWT per user`, async () => {
    const users = Array.from({ length: USERS }, (_, index) => ({
      username: `tenant-${index}`,
      password: `pw-${crypto.randomUUID()}`,
    }));
    const mock = await startMockServer({ users });
    const name = `many-users-${crypto.randomUUID()}`;
    const stores = [0, 1].map(() =>
      createRedisTokenStore({ url: server.url, redisOptions: { connectionName: name } }),
    );
    const before = timers();
    // Two replicas in one process: each store serves one client per user.
    const replicas = stores.map((store) =>
      users.map((credentials) => createConnexeaseClient({ baseUrl: mock.url, credentials, store })),
    );
    try {
      expect(timers()).toBeLessThanOrEqual(before);
      const everyone = () => Promise.all(replicas.flat().map((client) => client.api.get('tenant/').json()));

      await everyone();
      expect(mock.control.stats().issues.total).toBe(USERS);
      expect(Object.values(mock.control.stats().issues.byUser)).toEqual(users.map(() => 1));
      expect(await connectionsNamed(name)).toBe(2);
      expect(await connectionsNamed('connexease-kit:subscriber')).toBeLessThanOrEqual(2);
      await eventually(
        async () => ((await admin.pubsub('CHANNELS', '*')) as string[]).length,
        (channels) => channels === 0,
        { timeoutMs: 10_000, description: 'no channel stays subscribed once every wait is over' },
      );
      await eventually(
        async () => timers(),
        // At most those that ran before the providers existed (the stores' start-up checks may end meanwhile).
        (count) => count <= before,
        {
          timeoutMs: 10_000,
          description: 'idle providers hold no timer',
        },
      );

      // Revoking one user's tokens refreshes that user alone.
      mock.control.revoke({ username: users[7]!.username });
      await everyone();
      const byUser = mock.control.stats().issues.byUser;
      expect(byUser[users[7]!.username]).toBe(2);
      expect(Object.values(byUser).reduce((total, issued) => total + issued, 0)).toBe(USERS + 1);
    } finally {
      await Promise.all(replicas.flat().map((client) => client.auth.close()));
      await Promise.all(stores.map((store) => store.close()));
      await mock.close();
    }
  }, 60_000);
});
