import { type Echo, JOHN, startTwoHosts } from '@connexease-kit/test-support';
import { describe, expect, it, onTestFinished } from 'vitest';
import { authFetch } from '../src/auth-fetch.ts';
import { createConnexeaseFetch } from '../src/client.ts';

describe('one credential, several hosts (http-fetch)', () => {
  it('forHost signs GET /stats on the second host with the token issued once by the API host', async () => {
    const { api, stream } = await startTwoHosts();
    const client = createConnexeaseFetch({ baseUrl: api.url, credentials: JOHN });
    onTestFinished(() => client.auth.close());
    const stats = client.forHost(stream.url);

    const [fromStream, fromApi, again] = await Promise.all([
      stats('stats'),
      client.fetch('some/endpoint/'),
      stats('/stats'),
    ]);
    expect(await fromStream.json()).toMatchObject({
      ok: true,
      path: '/stats',
      scheme: 'JWT',
      username: JOHN.username,
    });
    expect(((await again.json()) as Echo).path).toBe('/stats');
    expect(((await fromApi.json()) as Echo).scheme).toBe('JWT');

    expect(api.control.stats().issues.total).toBe(1);
    expect(api.control.stats().jwtAttempts.total).toBe(1);
    expect(stream.control.stats().jwtAttempts.total).toBe(0);
    expect(stream.control.stats().apiCalls.total).toBe(2);
    // One namespace: the quota is the API host's, counted once.
    expect((await client.auth.status()).quota).toMatchObject({ used: 1 });
  });

  it('a 401 from the second host refreshes through POST /jwt/ on the API host, never the second host', async () => {
    const { api, stream } = await startTwoHosts();
    const client = createConnexeaseFetch({ baseUrl: api.url, credentials: JOHN });
    onTestFinished(() => client.auth.close());
    const stats = client.forHost(stream.url);
    await (await stats('stats')).arrayBuffer();
    stream.control.respond('/stats', { status: 401, body: { detail: 'expired' }, times: 1 });
    const response = await stats('stats');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ scheme: 'JWT', path: '/stats' });
    expect(api.control.stats().jwtAttempts.total).toBe(2);
    expect(stream.control.stats().jwtAttempts.total).toBe(0);
  });

  it('authFetch(auth) signs absolute URLs of any host with the same token', async () => {
    const { api, stream } = await startTwoHosts();
    const client = createConnexeaseFetch({ baseUrl: api.url, credentials: JOHN });
    onTestFinished(() => client.auth.close());
    const signed = authFetch(client.auth);
    expect(await (await signed(`${stream.url}/stats`)).json()).toMatchObject({ scheme: 'JWT' });
    expect(await (await client.fetch('a/')).json()).toMatchObject({ scheme: 'JWT' });
    expect(api.control.stats().issues.total).toBe(1);
    expect(stream.control.stats().jwtAttempts.total).toBe(0);
  });
});
