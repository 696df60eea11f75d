import { describe, expect, it } from 'vitest';
import { freshUser, userStats } from '../fleet/support/fleet.ts';
import type { ReplicaConfig } from '../fleet/support/protocol.ts';
import { useSharedRedis } from '../fleet/support/redis-store.ts';
import { ReplicaProcess } from '../fleet/support/replica-process.ts';
import { startTcpProxy } from './support/tcp-proxy.ts';

// Issue 10, case 2 (guarantee 11): a leader cut off from Redis past its lease never sends again. A
// real partition: one replica reaches Redis through a TCP proxy that stops forwarding (connections
// stay open, bytes wait) and later delivers everything it held.
const env = useSharedRedis();

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('a leader is cut off (guarantee 11)', () => {
  it('2. the leader backs off after a 503, is cut off past its lease, another replica issues; healed, the cut-off leader sends no further POST /jwt/ and serves the new token', async () => {
    const user = freshUser(env.mock);
    const redisUrl = new URL(env.redisUrl);
    const proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    env.track({ close: () => proxy.close() });
    const base: Omit<ReplicaConfig, 'name' | 'redis'> = {
      baseUrl: env.mock.url,
      ...user,
      traceStore: true,
      store: { commandTimeoutMs: 500 },
      provider: { leaseTtlMs: 1000, retry: { attempts: 3, baseDelayMs: 100, maxDelayMs: 10_000 } },
    };
    const cutOff = env.track(
      new ReplicaProcess({ ...base, name: 'cut-off', redis: { url: `redis://127.0.0.1:${proxy.port}` } }),
    );
    const other = env.track(new ReplicaProcess({ ...base, name: 'other', redis: { url: env.redisUrl } }));
    await Promise.all([cutOff.ready, other.ready]);
    const attemptsBefore = env.mock.control.stats().jwtAttempts.total;

    // The first POST /jwt/ answers 503 "retry in 6 s": the leader sleeps that long, holding its lease.
    env.mock.control.respond('/jwt/', {
      status: 503,
      headers: { 'Retry-After': '6' },
      body: { message: 'maintenance' },
    });
    const cutOffCalls = cutOff.burst(1, 60_000);
    await cutOff.until(() => cutOff.eventsOf('issue-failed').length > 0, 'the leader got its 503');

    // Cut off past its 1 s lease: it cannot extend it, and the lease lapses in Redis.
    proxy.pause();
    await sleep(2500);
    const served = await other.burst(3, 30_000);
    expect([served.ok, served.failed]).toEqual([3, 0]);
    const whileCut = env.mock.control.stats().jwtAttempts.total - attemptsBefore;
    expect(whileCut, 'the 503, then the new leader’s issue').toBe(2);

    // Healed before the cut-off leader's backoff is over: everything it queued reaches Redis late.
    proxy.resume();
    const tally = await cutOffCalls;
    // Its backoff is long over by now; give a stray late attempt every chance to show.
    await sleep(2000);
    console.info(
      `[case 2] POST /jwt/ attempts ${env.mock.control.stats().jwtAttempts.total - attemptsBefore} ` +
        `(1 answered 503, the others issues ${userStats(env.mock, user.username).issues}); requests served ` +
        `${served.ok + tally.ok} of 4, failed ${served.failed + tally.failed} ${JSON.stringify(tally.failures)}`,
    );
    expect([tally.ok, tally.failed]).toEqual([1, 0]);

    expect(env.mock.control.stats().jwtAttempts.total - attemptsBefore, 'POST /jwt/ attempts').toBe(2);
    expect(userStats(env.mock, user.username).issues).toBe(1);
    expect(await cutOff.authorization()).toBe(await other.authorization());
    const cutOffReservations = cutOff.storeTraces.filter((trace) => trace.op === 'reserveIssue');
    expect(
      cutOffReservations.filter((trace) => trace.granted),
      'the cut-off leader reserved only its first attempt',
    ).toHaveLength(1);
  }, 120_000);
});
