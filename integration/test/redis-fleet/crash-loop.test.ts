import { namespaceFor } from '@connexease-kit/auth-core/store';
import { describe, expect, it } from 'vitest';
import { freshUser, userStats } from '../fleet/support/fleet.ts';
import { runOnce } from '../fleet/support/replica-process.ts';
import { expectTidyNamespace } from '../fleet/support/stored-keys.ts';
import { useFleetEnvironment } from './support/environment.ts';

const env = useFleetEnvironment();

interface OneRequestReport {
  ok: boolean;
  code?: string;
  issued: number;
  quotaUsed: number;
}

const REPLICAS = 50;
/** Two lanes: each replica starts when the one two places before it has exited. */
const LANES = 2;

describe('fleet crash loop', () => {
  it('2. 50 replicas started one after another, each making one request and exiting: exactly one POST /jwt/', async () => {
    const user = freshUser(env.mock);
    const reports: OneRequestReport[] = [];
    const lane = async (first: number): Promise<void> => {
      for (let index = first; index < REPLICAS; index += LANES) {
        reports[index] = await runOnce<OneRequestReport>('one-request.ts', {
          name: `restart-${index}`,
          baseUrl: env.mock.url,
          ...user,
          redis: { url: env.redisUrl },
        });
      }
    };
    await Promise.all(Array.from({ length: LANES }, (_, first) => lane(first)));

    expect(reports.filter((report) => !report.ok)).toEqual([]);
    expect(reports.reduce((sum, report) => sum + report.issued, 0)).toBe(1);
    // Every process, the first ones included, sees the one reservation the fleet made.
    expect(reports.map((report) => report.quotaUsed)).toEqual(Array(REPLICAS).fill(1));
    expect(userStats(env.mock, user.username)).toMatchObject({ attempts: 1, issues: 1 });

    const namespace = await namespaceFor({ baseUrl: env.mock.url, username: user.username, mode: 'jwt' });
    await expectTidyNamespace(env.redis, namespace, [user.username, user.password]);
  }, 180_000);
});
