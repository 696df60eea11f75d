import type { MockServer } from '@connexease-kit/mock-server';

/**
 * Stamps every `POST /jwt/` the mock receives with the time since `t0`, as it arrives, for the chart.
 * The mock counts attempts as they come in; this waits for the count to move, again and again, until
 * the mock closes. The returned array fills while the run goes on.
 */
export function recordJwtAttempts(mock: MockServer, t0: number): number[] {
  const times: number[] = [];
  const after = (seen: number): void => {
    mock.control
      .waitFor((stats) => stats.jwtAttempts.total > seen, 3_600_000)
      .then(
        (stats) => {
          const atMs = Math.round(performance.now() - t0);
          for (let count = seen; count < stats.jwtAttempts.total; count += 1) times.push(atMs);
          after(stats.jwtAttempts.total);
        },
        () => {}, // the mock closed: the run is over
      );
  };
  after(mock.control.stats().jwtAttempts.total);
  return times;
}
