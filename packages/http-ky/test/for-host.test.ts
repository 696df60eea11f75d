import { JOHN, startTwoHosts } from '@connexease-kit/test-support';
import { describe, expect, it, onTestFinished } from 'vitest';
import { createConnexeaseClient } from '../src/client.ts';

describe('one credential, several hosts (http-ky)', () => {
  it('forHost signs GET /stats on the second host with the token issued once by the API host', async () => {
    const { api, stream } = await startTwoHosts();
    const client = createConnexeaseClient({ baseUrl: api.url, credentials: JOHN });
    onTestFinished(() => client.auth.close());
    const stats = client.forHost(stream.url);

    const [fromStream, fromApi] = await Promise.all([
      stats.get('stats').json(),
      client.api.get('some/endpoint/').json(),
    ]);
    expect(fromStream).toMatchObject({ ok: true, path: '/stats', scheme: 'JWT', username: JOHN.username });
    expect(fromApi).toMatchObject({ scheme: 'JWT' });
    expect(api.control.stats().issues.total).toBe(1);
    expect(stream.control.stats().jwtAttempts.total).toBe(0);
    expect((await client.auth.status()).quota).toMatchObject({ used: 1 });
  });

  it('a 401 from the second host refreshes through POST /jwt/ on the API host, never the second host', async () => {
    const { api, stream } = await startTwoHosts();
    const client = createConnexeaseClient({ baseUrl: api.url, credentials: JOHN });
    onTestFinished(() => client.auth.close());
    const stats = client.forHost(stream.url);
    await stats.get('stats');
    stream.control.respond('/stats', { status: 401, body: { detail: 'expired' }, times: 1 });
    expect(await stats.get('stats').json()).toMatchObject({ scheme: 'JWT', path: '/stats' });
    expect(api.control.stats().jwtAttempts.total).toBe(2);
    expect(stream.control.stats().jwtAttempts.total).toBe(0);
  });

  it('api.extend({ baseUrl }) does the same: the issuer stays on the API host', async () => {
    const { api, stream } = await startTwoHosts();
    const client = createConnexeaseClient({ baseUrl: api.url, credentials: JOHN });
    onTestFinished(() => client.auth.close());
    const stats = client.api.extend({ baseUrl: `${stream.url}/` });
    expect(await stats.get('stats').json()).toMatchObject({ scheme: 'JWT' });
    expect(api.control.stats().jwtAttempts.total).toBe(1);
    expect(stream.control.stats().jwtAttempts.total).toBe(0);
  });

  it('forHost refuses what is not an absolute http(s) URL', () => {
    const client = createConnexeaseClient({ credentials: JOHN });
    onTestFinished(() => client.auth.close());
    expect(() => client.forHost('stream.connexease.com')).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining('forHost') }),
    );
  });
});
