import { namespaceFor } from '@connexease-kit/auth-core/store';
import { describe, expect, it } from 'vitest';
import { freshUser, userStats } from '../support/fleet.ts';
import type { FleetStore } from '../support/fleet-store.ts';
import { runOnce } from '../support/replica-process.ts';

interface OneRequestReport {
  ok: boolean;
  code?: string;
  issued: number;
  quotaUsed: number;
}

const REPLICAS = 50;
/** Two lanes: each replica starts when the one two places before it has exited. */
const LANES = 2;

export function describeCrashLoop(store: FleetStore): void {
  const env = store.useShared();

  describe(`fleet crash loop on ${store.name}`, () => {
    it('2. 50 replicas started one after another, each making one request and exiting: exactly one POST /jwt/', async () => {
      const user = freshUser(env.mock);
      const reports: OneRequestReport[] = [];
      const lane = async (first: number): Promise<void> => {
        for (let index = first; index < REPLICAS; index += LANES) {
          reports[index] = await runOnce<OneRequestReport>('one-request.ts', {
            name: `restart-${index}`,
            baseUrl: env.mock.url,
            ...user,
            redis: env.replicaStore,
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
      await env.expectTidy(namespace, [user.username, user.password]);
    }, 240_000);
  });
}
