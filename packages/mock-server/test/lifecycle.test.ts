import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type MockRequestInfo, startMockServer } from '../src/index.ts';
import { callApi, issueToken, JOHN, postJwt, startTestServer } from './helpers.ts';

describe('startMockServer', () => {
  it('listens on 127.0.0.1 and a free port, with a url without a trailing slash', async () => {
    const server = await startTestServer();
    expect(server.host).toBe('127.0.0.1');
    expect(server.port).toBeGreaterThan(0);
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
  });

  it('rejects bad options with a TypeError before listening', async () => {
    await expect(startMockServer({ port: -1 })).rejects.toThrow(TypeError);
    await expect(startMockServer({ quota: { limit: 0 } })).rejects.toThrow(/quota.limit/);
    await expect(startMockServer({ tokenLifetimeSeconds: 1.5 })).rejects.toThrow(/tokenLifetimeSeconds/);
    await expect(startMockServer({ users: [{ username: '', password: 'x' }] })).rejects.toThrow(/username/);
    await expect(startMockServer({ accessTokens: ['has space'] })).rejects.toThrow(/whitespace/);
    await expect(startMockServer({ inactiveBody: 'html' as never })).rejects.toThrow(/inactiveBody/);
  });

  it('rejects when the port is taken', async () => {
    const server = await startTestServer();
    await expect(startMockServer({ port: server.port })).rejects.toThrow(/EADDRINUSE/);
  });

  it('starts with no users when given an empty list', async () => {
    const server = await startTestServer({ users: [] });
    expect((await postJwt(server, JOHN)).status).toBe(401);
  });
});

describe('close()', () => {
  it('finishes while a request hangs, and the hanging client sees its connection end', async () => {
    const server = await startMockServer();
    server.control.queueFaults('hang');
    const hanging = postJwt(server, JOHN).then(
      () => 'answered',
      () => 'failed',
    );
    await server.control.waitFor((stats) => stats.jwtAttempts.byStatus.hang === 1);
    await server.close();
    expect(await hanging).toBe('failed');
  });

  it('finishes while a slow answer is pending, and can be called twice', async () => {
    const server = await startMockServer();
    server.control.queueFaults({ type: 'slow', delayMs: 60_000 });
    const slow = postJwt(server, JOHN).catch(() => 'failed');
    await server.control.waitFor({ jwtAttempts: 1 });
    await Promise.all([server.close(), server.close()]);
    expect(await slow).toBe('failed');
    expect(server.control.stats().issues.total).toBe(0);
  });

  it('works with await using', async () => {
    let url = '';
    {
      await using server = await startMockServer();
      url = server.url;
      expect((await fetch(`${url}/__mock__/stats`)).status).toBe(200);
    }
    await expect(fetch(`${url}/__mock__/stats`)).rejects.toThrow(TypeError);
  });
});

describe('hooks and secrets', () => {
  it('calls onRequest with method, path and route only', async () => {
    const seen: MockRequestInfo[] = [];
    const server = await startTestServer({ onRequest: (info) => seen.push(info) });
    await postJwt(server, JOHN);
    await callApi(server, '/a/b/?q=1', 'Bearer x', { method: 'PUT' });
    await fetch(`${server.url}/__mock__/stats`);
    expect(seen).toEqual([
      { method: 'POST', path: '/jwt/', route: 'jwt' },
      { method: 'PUT', path: '/a/b/', route: 'api' },
      { method: 'GET', path: '/__mock__/stats', route: 'admin' },
    ]);
  });

  it('logs nothing by default and never a password, token or Authorization value', async () => {
    const lines: string[] = [];
    const password = 'hunter2-super-secret';
    const server = await startTestServer({
      users: [{ username: 'ops', password }],
      accessTokens: ['cxat_secret_value'],
      log: (line) => lines.push(line),
    });
    const token = await issueToken(server, { username: 'ops', password });
    await postJwt(server, { username: 'ops', password: `${password}-wrong` });
    await callApi(server, '/a/', `JWT ${token}`);
    await callApi(server, '/a/', 'Bearer cxat_secret_value');
    await callApi(server, '/a/', `Bearer ${token}`);
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('POST /jwt/ 200 ops');
    const everything =
      lines.join('\n') + inspect(server, { depth: 5 }) + JSON.stringify(server.control.listUsers());
    for (const secret of [password, token, 'cxat_secret_value']) expect(everything).not.toContain(secret);
  });

  it('answers 500 when the onRequest hook throws, and keeps serving', async () => {
    let calls = 0;
    const server = await startTestServer({
      onRequest: () => {
        calls++;
        if (calls === 1) throw new Error('hook failed');
      },
    });
    expect((await postJwt(server, JOHN)).status).toBe(500);
    expect((await postJwt(server, JOHN)).status).toBe(200);
  });

  it('delays answers by latencyMs (a client timer shorter than it always fires first)', async () => {
    const server = await startTestServer({ latencyMs: 60_000 });
    const error = await postJwt(server, JOHN, { signal: AbortSignal.timeout(50) }).catch(
      (caught: unknown) => caught,
    );
    expect((error as DOMException).name).toBe('TimeoutError');
    server.control.configure({ latencyMs: 0 });
    expect((await postJwt(server, JOHN)).status).toBe(200);
  });
});
