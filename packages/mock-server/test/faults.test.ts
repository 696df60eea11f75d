import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { JOHN, postJwt, startTestServer } from './helpers.ts';

describe('queued faults on POST /jwt/', () => {
  it('502-html: 502 with an HTML page', async () => {
    const server = await startTestServer();
    server.control.queueFaults('502-html');
    const response = await postJwt(server, JOHN);
    expect(response.status).toBe(502);
    expect(response.headers.get('content-type')).toBe('text/html');
    expect(await response.text()).toContain('<h1>502 Bad Gateway</h1>');
  });

  it('500: 500 with a JSON error', async () => {
    const server = await startTestServer();
    server.control.queueFaults('500');
    const response = await postJwt(server, JOHN);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ detail: 'A server error occurred.' });
  });

  it('503: 503 with an empty body', async () => {
    const server = await startTestServer();
    server.control.queueFaults('503');
    const response = await postJwt(server, JOHN);
    expect(response.status).toBe(503);
    expect(await response.text()).toBe('');
  });

  it('truncated-json: 200 application/json whose body stops inside the token', async () => {
    const server = await startTestServer();
    server.control.queueFaults('truncated-json');
    const response = await postJwt(server, JOHN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    const text = await response.text();
    expect(text).toMatch(/^\{"token":"eyJ[\w.-]+$/);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
  });

  it('no-token: 200 JSON with everything but the token', async () => {
    const server = await startTestServer();
    server.control.queueFaults('no-token');
    const response = await postJwt(server, JOHN);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).not.toHaveProperty('token');
    expect(body).toMatchObject({ otp: false, client: { device_id: 'deviceId' } });
  });

  it('html-200: 200 with an HTML page', async () => {
    const server = await startTestServer();
    server.control.queueFaults('html-200');
    const response = await postJwt(server, JOHN);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await response.text()).toMatch(/^<!DOCTYPE html>/);
  });

  it('reset: the socket is destroyed without a response, so fetch rejects', async () => {
    const server = await startTestServer();
    server.control.queueFaults('reset');
    await expect(postJwt(server, JOHN)).rejects.toThrow(TypeError);
    expect(server.control.stats().jwtAttempts.byStatus).toEqual({ reset: 1 });
  });

  it('hang: never answers; the client gives up through its own AbortSignal', async () => {
    const server = await startTestServer();
    server.control.queueFaults('hang');
    const error = await postJwt(server, JOHN, { signal: AbortSignal.timeout(300) }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('TimeoutError');
    expect(server.control.stats().jwtAttempts.byStatus).toEqual({ hang: 1 });
  });

  it('slow: answers normally after the delay, and the issue counts', async () => {
    const server = await startTestServer();
    server.control.queueFaults({ type: 'slow', delayMs: 300 });
    const pending = postJwt(server, JOHN);
    await server.control.waitFor({ jwtAttempts: 1 });
    expect(server.control.stats().issues.total).toBe(0); // still waiting out the delay
    const response = await pending;
    expect(response.status).toBe(200);
    expect(decodeJwt(((await response.json()) as { token: string }).token).username).toBe('john.doe');
    expect(server.control.stats().issues.total).toBe(1);
  });

  it('are consumed one per POST, first in first out, then the server answers normally', async () => {
    const server = await startTestServer();
    server.control.queueFaults('503', '500');
    server.control.queueFaults('502-html');
    expect(server.control.pendingFaults()).toEqual(['503', '500', '502-html']);
    await fetch(`${server.url}/jwt/`); // a GET is refused with 405 and leaves the queue alone
    const results = [];
    for (let i = 0; i < 4; i++) results.push((await postJwt(server, JOHN)).status);
    expect(results).toEqual([503, 500, 502, 200]);
    expect(server.control.pendingFaults()).toEqual([]);
  });

  it('issue nothing and use no quota unless issue: true', async () => {
    const server = await startTestServer({ quota: { limit: 1 } });
    server.control.queueFaults('503', 'reset', 'truncated-json');
    await postJwt(server, JOHN);
    await postJwt(server, JOHN).catch(() => {});
    await postJwt(server, JOHN);
    expect(server.control.stats().issues.total).toBe(0);
    expect((await postJwt(server, JOHN)).status).toBe(200);
  });

  it('with issue: true, process the request for real and then lose the answer', async () => {
    const server = await startTestServer({ quota: { limit: 2 } });
    server.control.queueFaults({ type: 'reset', issue: true }, { type: 'truncated-json', issue: true });
    await expect(postJwt(server, JOHN)).rejects.toThrow(TypeError);
    const truncated = await (await postJwt(server, JOHN)).text();
    expect(server.control.stats().issues.total).toBe(2);
    expect((await postJwt(server, JOHN)).status).toBe(403); // the two lost issues used the quota up
    expect(truncated).toMatch(/^\{"token":"eyJ/);
    expect(server.control.stats().jwtAttempts.byStatus).toEqual({ reset: 1, '200': 1, '403': 1 });
  });

  it('count as attempts with their outcome', async () => {
    const server = await startTestServer();
    server.control.queueFaults('502-html', '503', 'no-token');
    for (let i = 0; i < 3; i++) await postJwt(server, JOHN);
    expect(server.control.stats().jwtAttempts).toEqual({
      total: 3,
      byStatus: { '502': 1, '503': 1, '200': 1 },
      byUser: {},
    });
  });

  it('can be cleared', async () => {
    const server = await startTestServer();
    server.control.queueFaults('503');
    server.control.clearFaults();
    expect((await postJwt(server, JOHN)).status).toBe(200);
  });

  it('reject unknown fault types and bad delays with a TypeError', async () => {
    const server = await startTestServer();
    expect(() => server.control.queueFaults('404' as never)).toThrow(TypeError);
    expect(() => server.control.queueFaults({ type: 'slow', delayMs: -1 })).toThrow(TypeError);
    expect(() => server.control.queueFaults({ type: 'slow' } as never)).toThrow(TypeError);
    expect(server.control.pendingFaults()).toEqual([]);
  });
});
