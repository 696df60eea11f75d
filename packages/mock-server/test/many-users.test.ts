import { describe, expect, it } from 'vitest';
import { issueToken, startTestServer } from './helpers.ts';

const USERS = 1000;

describe('a thousand API users', () => {
  it('issues, accepts and counts a JWT for each of 1,000 users, and revokes one user alone', async () => {
    const users = Array.from({ length: USERS }, (_, index) => ({
      username: `tenant-${index}`,
      password: `pw-${index}`,
    }));
    const server = await startTestServer({ users });
    const tokens: string[] = [];
    // Sequential batches: the point is the number of users, not of sockets.
    for (let start = 0; start < USERS; start += 100) {
      tokens.push(
        ...(await Promise.all(users.slice(start, start + 100).map((user) => issueToken(server, user)))),
      );
    }
    const call = (token: string) =>
      fetch(`${server.url}/tenant/`, { headers: { authorization: `JWT ${token}` } }).then(
        (response) => response.status,
      );
    expect(new Set(await Promise.all(tokens.slice(0, 100).map(call)))).toEqual(new Set([200]));
    expect(await call(tokens[USERS - 1]!)).toBe(200);

    const stats = server.control.stats();
    expect(stats.issues.total).toBe(USERS);
    expect(Object.keys(stats.issues.byUser)).toHaveLength(USERS);
    expect(server.control.listUsers()).toHaveLength(USERS);

    expect(server.control.revoke({ username: 'tenant-500' })).toBe(1);
    expect(await call(tokens[500]!)).toBe(401);
    expect(await call(tokens[501]!)).toBe(200);
  }, 60_000);
});
