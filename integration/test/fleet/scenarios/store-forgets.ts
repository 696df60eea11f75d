import { describe, expect, it } from 'vitest';
import type { FleetEnvironment } from '../support/environment.ts';
import {
  freshUser,
  maxInAnyWindow,
  replicaConfigs,
  startFleet,
  sumTallies,
  userStats,
} from '../support/fleet.ts';
import type { FleetStore, ForgetfulStoreEnvironment } from '../support/fleet-store.ts';
import type { ReplicaConfig, RequestTally } from '../support/protocol.ts';
import { ReplicaProcess } from '../support/replica-process.ts';

// Guarantee 10: a store that forgets everything must not let the fleet forget the attempts it made.
// The mock bans the user on the request that would exceed `limit` issues in any `windowMs`, and the
// fleet is given exactly the mock's limit: one forgotten attempt is a ban.

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Prints a case's figures (for the issue's closing note), before anything is asserted. */
export function reportCase(
  env: FleetEnvironment,
  label: string,
  username: string,
  quota: { limit: number; windowMs: number },
  tallies: readonly RequestTally[],
): void {
  const mock = userStats(env.mock, username);
  const total = sumTallies(tallies);
  const banned = env.mock.control.stats().bans.users.includes(username);
  console.info(
    `[${label}] POST /jwt/ attempts ${mock.attempts} (issues ${mock.issues}, at most ` +
      `${maxInAnyWindow(mock.issueTimes, quota.windowMs)} in one window) against a limit of ${quota.limit}; ` +
      `banned: ${banned}; requests served ${total.ok}, failed ${total.failed} ${JSON.stringify(total.failures)}`,
  );
}

/** Replica settings: short leases and store checks so a test sees in seconds what takes a minute. */
export function forgetfulConfig(
  env: ForgetfulStoreEnvironment,
  user: { username: string; password: string },
  quota: { limit: number; windowMs: number },
): Omit<ReplicaConfig, 'name'> {
  return {
    baseUrl: env.mock.url,
    ...user,
    redis: env.replicaStore,
    quota,
    traceStore: true,
    store: env.storeOptions,
    provider: {
      leaseTtlMs: 1000,
      storeCheckIntervalMs: 500,
      // Reservations count over windowMs + issueTimeoutMs: keep the widening small against a 60 s window.
      issueTimeoutMs: 5000,
      retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 500 },
    },
  };
}

/** Waits until the store holds `namespace`'s `quotaEntries` attempts and a token again. */
async function restored(
  env: ForgetfulStoreEnvironment,
  namespace: string,
  quotaEntries: number,
): Promise<void> {
  for (let deadline = Date.now() + 30_000; ; ) {
    const held = await env.held(namespace);
    if (held.quotaEntries === quotaEntries && held.token) return;
    if (Date.now() > deadline) throw new Error('the live replicas did not restore the store that forgot');
    await sleep(200);
  }
}

/** `label` names the case in the printed figures. Returns the environment, for a store's own cases. */
export function describeStoreForgets(store: FleetStore, label: string): ForgetfulStoreEnvironment {
  const env = store.useForgetful();

  describe(`the store forgets (guarantee 10) on ${store.name}`, () => {
    it(`the fleet spends its budget, ${env.forgetting}; live replicas restore the quota and the token, a replica started afterwards adopts it: no ban, no attempt past the limit`, async () => {
      const quota = { limit: 5, windowMs: 60_000 };
      env.mock.control.configure({ quota, tokenLifetimeSeconds: 86_400 });
      const user = freshUser(env.mock);
      const base = forgetfulConfig(env, user, quota);
      const fleet = env.track(await startFleet(replicaConfigs(3, base)));

      // The budget goes: four attempts are issued by the API but their answers are lost (connection
      // reset), the fifth brings the token every replica then serves.
      env.mock.control.queueFaults(
        ...Array.from({ length: 4 }, () => ({ type: 'reset' as const, issue: true })),
      );
      const spent = await fleet.all((replica) => replica.burst(2, 60_000));
      expect(sumTallies(spent)).toMatchObject({ ok: 6, failed: 0 });
      expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 5, issues: 5 });
      expect((await fleet.replicas[0]!.status()).quota).toMatchObject({ used: 5, remaining: 0 });

      await env.forget();
      // The replicas' next store calls may fail (STORE_UNAVAILABLE); their store check notices the lost
      // record within a second, re-adds the five attempts and writes their token back.
      await restored(env, fleet.namespace, 5);
      const resets = fleet.replicas.flatMap((replica) => replica.eventsOf('store-reset'));
      expect(resets.length).toBeGreaterThan(0);
      expect(resets.some((event) => event.tokenRestored)).toBe(true);

      const late = env.track(new ReplicaProcess({ ...base, name: 'deployed-after-the-store-forgot' }));
      await late.ready;
      const served = await late.burst(5, 30_000);
      const everyone = await fleet.all((replica) => replica.burst(5, 30_000));
      reportCase(env, label, user.username, quota, [served, ...everyone]);

      expect([served.ok, served.failed]).toEqual([5, 0]);
      expect(sumTallies(everyone)).toMatchObject({ ok: 15, failed: 0 });
      expect(env.mock.control.stats().bans.users).not.toContain(user.username);
      expect(env.mock.control.getUser(user.username)?.status).toBe('active');
      expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 5, issues: 5 });
      expect((await late.status()).quota).toMatchObject({ used: 5, remaining: 0 });
      await env.expectTidy(fleet.namespace, [user.username, user.password]);
    }, 180_000);
  });
  return env;
}
