import { inspect } from 'node:util';
import { ConnexeaseAuthError, createTokenProvider, type JwtIssuer } from '@connexease-kit/auth-core';
import { describe, expect, test, vi } from 'vitest';

const ACCESS_TOKEN = 'cxat_live_ACCESS-TOKEN-SECRET';

describe('bearer mode ({ accessToken })', () => {
  test('answers Bearer <token> with no store and no issuer', async () => {
    const provider = createTokenProvider({ credentials: { accessToken: ACCESS_TOKEN } });
    expect(provider.mode).toBe('bearer');
    expect(await provider.getAuthorization()).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(await provider.getAuthorization()).toBe(`Bearer ${ACCESS_TOKEN}`);
  });

  test('never issues, even when an issuer is passed', async () => {
    const issuer = vi.fn<JwtIssuer>();
    const provider = createTokenProvider({ credentials: { accessToken: ACCESS_TOKEN }, issuer });
    await provider.getAuthorization();
    await expect(provider.handleUnauthorized(`Bearer ${ACCESS_TOKEN}`)).rejects.toThrow();
    expect(issuer).not.toHaveBeenCalled();
  });

  test('a 401 is ACCESS_TOKEN_REJECTED (status 401): access tokens are never refreshed', async () => {
    const provider = createTokenProvider({ credentials: { accessToken: ACCESS_TOKEN } });
    const error = await provider
      .handleUnauthorized(`Bearer ${ACCESS_TOKEN}`)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConnexeaseAuthError);
    expect(error).toMatchObject({ code: 'ACCESS_TOKEN_REJECTED', status: 401 });
    expect(String((error as Error).message)).not.toContain(ACCESS_TOKEN);
  });

  test.each([
    ['empty', ''],
    ['with a space', 'abc def'],
    ['with CR/LF', 'abc\r\nX-Injected: 1'],
    ['non-ASCII', 'tökén'],
  ])('an unsafe token (%s) is CONFIG_INVALID at creation, never echoed', (_name, token) => {
    let caught: unknown;
    try {
      createTokenProvider({ credentials: { accessToken: token } });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConnexeaseAuthError);
    expect(caught).toMatchObject({ code: 'CONFIG_INVALID' });
    if (token !== '') expect((caught as Error).message).not.toContain(token);
  });

  test('status, unblock and close are harmless; the provider shows no secret', async () => {
    const provider = createTokenProvider({ credentials: { accessToken: ACCESS_TOKEN } });
    const status = await provider.status();
    expect(status).toMatchObject({ mode: 'bearer', quota: null, token: null, block: null, lease: null });
    expect(status.namespace).toMatch(/^[0-9a-f]{32}$/);
    await provider.unblock();
    await provider.close();
    expect(await provider.getAuthorization()).toBe(`Bearer ${ACCESS_TOKEN}`);
    for (const text of [
      inspect(provider, { depth: 5, showHidden: true }),
      JSON.stringify(provider),
      String(provider),
    ]) {
      expect(text).not.toContain(ACCESS_TOKEN);
    }
    expect(inspect(provider)).toContain('bearer');
  });

  test('an aborted signal rejects with ABORTED', async () => {
    const provider = createTokenProvider({ credentials: { accessToken: ACCESS_TOKEN } });
    const controller = new AbortController();
    controller.abort();
    await expect(provider.getAuthorization({ signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });
});
