import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { admin, callApi, issueToken, JOHN, postJwt, startTestServer } from './helpers.ts';

describe('admin routes', () => {
  it('GET stats, POST stats/reset and POST reset mirror stats(), resetStats() and reset()', async () => {
    const server = await startTestServer();
    await issueToken(server);
    expect(await admin(server, 'GET', 'stats')).toEqual({ status: 200, json: server.control.stats() });
    expect(await admin(server, 'POST', 'stats/reset')).toEqual({ status: 200, json: { ok: true } });
    expect(server.control.stats().issues.total).toBe(0);
    server.control.upsertUser({ username: 'temp', password: 'pw' });
    expect(await admin(server, 'POST', 'reset')).toEqual({ status: 200, json: { ok: true } });
    expect(server.control.getUser('temp')).toBeUndefined();
  });

  it('the admin routes themselves are not counted in stats', async () => {
    const server = await startTestServer();
    await admin(server, 'GET', 'stats');
    expect(server.control.stats().apiCalls.total).toBe(0);
  });

  it('users: list, upsert, get, password, status', async () => {
    const server = await startTestServer();
    const created = await admin(server, 'POST', 'users', {
      username: 'jane',
      password: 'pw1',
      status: 'inactive',
    });
    expect(created.status).toBe(200);
    expect(created.json).toEqual(server.control.getUser('jane'));
    expect(created.json).not.toHaveProperty('password');
    expect((await admin(server, 'GET', 'users')).json).toEqual({ users: server.control.listUsers() });
    expect((await admin(server, 'GET', 'users/jane')).json).toMatchObject({
      username: 'jane',
      status: 'inactive',
    });

    await admin(server, 'POST', 'users/jane/status', { status: 'active' });
    await admin(server, 'POST', 'users/jane/password', { password: 'pw2' });
    expect((await postJwt(server, { username: 'jane', password: 'pw1' })).status).toBe(401);
    expect((await postJwt(server, { username: 'jane', password: 'pw2' })).status).toBe(200);
  });

  it('users: 404 for an unknown user, 400 for bad input', async () => {
    const server = await startTestServer();
    expect((await admin(server, 'GET', 'users/nobody')).status).toBe(404);
    expect((await admin(server, 'POST', 'users/nobody/status', { status: 'active' })).status).toBe(404);
    const badStatus = await admin(server, 'POST', 'users/john.doe/status', { status: 'sleeping' });
    expect(badStatus.status).toBe(400);
    expect(badStatus.json).toEqual({ error: expect.stringContaining('status must be one of') });
    expect((await admin(server, 'POST', 'users', { username: 'x' })).status).toBe(400);
  });

  it('reactivating a banned user over HTTP lets it issue again', async () => {
    const server = await startTestServer({ quota: { limit: 1 } });
    await postJwt(server, JOHN);
    expect((await postJwt(server, JOHN)).status).toBe(403);
    expect((await admin(server, 'GET', 'users/john.doe')).json).toMatchObject({
      status: 'banned',
      quotaUsed: 1,
    });
    await admin(server, 'POST', 'users/john.doe/status', { status: 'active' });
    expect((await postJwt(server, JOHN)).status).toBe(200);
  });

  it('config: GET and POST mirror config() and configure()', async () => {
    const server = await startTestServer();
    const updated = await admin(server, 'POST', 'config', {
      tokenLifetimeSeconds: 60,
      quota: { limit: 5, windowMs: 1000 },
      inactiveBody: 'json',
    });
    expect(updated.json).toEqual({
      tokenLifetimeSeconds: 60,
      quota: { limit: 5, windowMs: 1000 },
      inactiveBody: 'json',
      latencyMs: 0,
    });
    expect((await admin(server, 'GET', 'config')).json).toEqual(server.control.config());
    expect((await admin(server, 'POST', 'config', { quota: { limit: 0 } })).status).toBe(400);
    const claims = decodeJwt(await issueToken(server));
    expect(claims.exp! - claims.iat!).toBe(60);
  });

  it('quota/reset empties a window', async () => {
    const server = await startTestServer({ quota: { limit: 1 } });
    await postJwt(server, JOHN);
    expect(await admin(server, 'POST', 'quota/reset', { username: 'john.doe' })).toEqual({
      status: 200,
      json: { ok: true },
    });
    expect((await postJwt(server, JOHN)).status).toBe(200);
  });

  it('access-tokens, revoke and tokens (mint)', async () => {
    const server = await startTestServer();
    await admin(server, 'POST', 'access-tokens', { token: 'cxat_abc' });
    expect((await callApi(server, '/x/', 'Bearer cxat_abc')).status).toBe(200);
    expect((await admin(server, 'POST', 'revoke', { token: 'cxat_abc' })).json).toEqual({ revoked: 1 });
    expect((await callApi(server, '/x/', 'Bearer cxat_abc')).status).toBe(401);

    const minted = (await admin(server, 'POST', 'tokens', { username: 'john.doe', lifetimeSeconds: 30 }))
      .json as {
      token: string;
    };
    expect((await callApi(server, '/x/', `JWT ${minted.token}`)).status).toBe(200);
    const issued = await issueToken(server);
    expect((await admin(server, 'POST', 'revoke', { username: 'john.doe' })).json).toEqual({ revoked: 2 });
    expect((await callApi(server, '/x/', `JWT ${issued}`)).status).toBe(401);
    expect((await admin(server, 'POST', 'revoke', { all: true })).json).toEqual({ revoked: 0 });
    expect((await admin(server, 'POST', 'revoke', { everything: 1 })).status).toBe(400);
  });

  it('faults: POST queues, GET lists, DELETE clears', async () => {
    const server = await startTestServer();
    const queued = await admin(server, 'POST', 'faults', { faults: ['503', { type: 'slow', delayMs: 1 }] });
    expect(queued.json).toEqual({ faults: ['503', { type: 'slow', delayMs: 1 }] });
    expect((await admin(server, 'GET', 'faults')).json).toEqual({ faults: server.control.pendingFaults() });
    expect((await postJwt(server, JOHN)).status).toBe(503);
    expect((await admin(server, 'DELETE', 'faults')).json).toEqual({ faults: [] });
    expect(server.control.pendingFaults()).toEqual([]);
    expect((await admin(server, 'POST', 'faults', { faults: ['teapot'] })).status).toBe(400);
  });

  it('responses: POST adds (times may be "Infinity"), DELETE clears one path or all', async () => {
    const server = await startTestServer();
    await admin(server, 'POST', 'responses', { path: '/a/', status: 503, times: 'Infinity' });
    await admin(server, 'POST', 'responses', { path: '/b/', status: 500, body: { detail: 'boom' } });
    expect((await callApi(server, '/a/')).status).toBe(503);
    expect((await callApi(server, '/a/')).status).toBe(503);
    await fetch(`${server.url}/__mock__/responses?path=%2Fa%2F`, { method: 'DELETE' });
    expect((await callApi(server, '/a/')).status).toBe(401);
    await admin(server, 'DELETE', 'responses');
    expect((await callApi(server, '/b/')).status).toBe(401);
  });

  it('time: GET reads the server clock, POST time/advance moves it', async () => {
    const server = await startTestServer({ clock: () => 1_000_000 });
    expect((await admin(server, 'GET', 'time')).json).toEqual({ now: 1_000_000 });
    expect((await admin(server, 'POST', 'time/advance', { ms: 500 })).json).toEqual({ now: 1_000_500 });
    expect(server.control.now()).toBe(1_000_500);
  });

  it('wait resolves with stats once the target is reached, 408 on timeout', async () => {
    const server = await startTestServer();
    const waiting = admin(server, 'POST', 'wait', { issues: 1, timeoutMs: 10_000 });
    await issueToken(server);
    const reply = await waiting;
    expect(reply.status).toBe(200);
    expect(reply.json).toMatchObject({ issues: { total: 1 } });
    expect((await admin(server, 'POST', 'wait', { issues: 5, timeoutMs: 10 })).status).toBe(408);
  });

  it('404 for unknown routes, 405 for wrong methods, 400 for bodies that are not JSON objects', async () => {
    const server = await startTestServer();
    expect((await admin(server, 'GET', 'nope')).status).toBe(404);
    const wrongMethod = await fetch(`${server.url}/__mock__/stats`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('GET');
    const notJson = await fetch(`${server.url}/__mock__/config`, { method: 'POST', body: '{' });
    expect(notJson.status).toBe(400);
    const array = await fetch(`${server.url}/__mock__/config`, { method: 'POST', body: '[]' });
    expect(array.status).toBe(400);
  });

  it('are off with admin: false: /__mock__/ is then an ordinary protected path', async () => {
    const server = await startTestServer({ admin: false });
    const response = await fetch(`${server.url}/__mock__/stats`);
    expect(response.status).toBe(401);
    expect(server.control.stats().apiCalls.total).toBe(1);
  });
});
