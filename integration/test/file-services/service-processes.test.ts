import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type MockServer, startMockServer } from '@connexease-kit/mock-server';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runFixture } from './support/run-fixture.ts';
import { tempDirectory } from './support/temp-directory.ts';

// The real stack in real processes: @connexease-kit/http-ky (built dist) with the file store, against
// the mock API over HTTP. The mock's counters say how many JWTs were really issued.
let mock: MockServer;
let compileCache: string;

beforeAll(async () => {
  mock = await startMockServer();
  compileCache = mkdtempSync(join(tmpdir(), 'cxk-file-compile-cache-'));
});
afterAll(async () => {
  await mock.close();
  rmSync(compileCache, { recursive: true, force: true });
});
beforeEach(() => mock.control.reset());

describe('services on one host sharing the file store', () => {
  it('4 node:cluster workers × 100 concurrent calls from cold: exactly one JWT issued', async () => {
    const directory = tempDirectory('cluster');
    const output = await runFixture('cluster-fleet.ts', [directory, mock.url, '4', '100'], compileCache);
    const reports = JSON.parse(output) as Array<{ ok: number; failed: string[] }>;

    expect(reports.map((report) => report.failed)).toEqual([[], [], [], []]);
    expect(reports.map((report) => report.ok)).toEqual([100, 100, 100, 100]);
    const stats = mock.control.stats();
    expect(stats.issues.total).toBe(1);
    expect(stats.jwtAttempts.total).toBe(1);
    expect(stats.apiCalls.byScheme.JWT).toBe(400);
  }, 60_000);

  it('40 sequential restarts (start, get a token, exit): exactly one JWT issued', async () => {
    const directory = tempDirectory('restarts');
    for (let restart = 0; restart < 40; restart++) {
      const { ok, quotaUsed } = JSON.parse(
        await runFixture('client-once.ts', [directory, mock.url], compileCache),
      );
      expect(ok).toBe(1);
      expect(quotaUsed, `restart ${restart} sees the one reservation`).toBe(1);
    }
    const stats = mock.control.stats();
    expect(stats.issues.total).toBe(1);
    expect(stats.jwtAttempts.total).toBe(1);
    expect(stats.apiCalls.total).toBe(40);
  }, 120_000);
});
