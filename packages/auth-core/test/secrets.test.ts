import { inspect } from 'node:util';
import { credentialFingerprint, namespaceFor } from '@connexease-kit/auth-core/store';
import { protectCredentials, REDACTED, redact } from '@connexease-kit/auth-core/transport';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { rejectionOf } from './support/errors.ts';

const PASSWORD = 'hunter2-SECRET';
const ACCESS_TOKEN = 'cxat_live_TOKEN-SECRET';

function renderings(value: object): string[] {
  return [
    inspect(value),
    inspect(value, { showHidden: true, depth: 5 }),
    inspect({ nested: { value } }),
    JSON.stringify(value),
    JSON.stringify({ nested: value }),
    String(value),
    `${value}`,
    `${JSON.stringify(Object.entries(value))}`,
    JSON.stringify({ ...value }),
  ];
}

describe('protectCredentials', () => {
  test('keeps the password readable but out of every rendering', () => {
    const credentials = protectCredentials({ username: 'john.doe', password: PASSWORD });
    expect(credentials.password).toBe(PASSWORD);
    expect(credentials.username).toBe('john.doe');
    for (const text of renderings(credentials)) expect(text).not.toContain(PASSWORD);
    expect(inspect(credentials)).toContain('john.doe');
    expect(inspect(credentials)).toContain(REDACTED);
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({ username: 'john.doe', password: REDACTED });
    expect(String(credentials)).toBe('[PasswordCredentials]');
  });

  test('keeps an access token readable but out of every rendering', () => {
    const credentials = protectCredentials({ accessToken: ACCESS_TOKEN });
    expect(credentials.accessToken).toBe(ACCESS_TOKEN);
    for (const text of renderings(credentials)) expect(text).not.toContain(ACCESS_TOKEN);
    expect(JSON.parse(JSON.stringify(credentials))).toEqual({ accessToken: REDACTED });
  });

  test('secret fields are non-enumerable: spreads and Object.keys drop them (documented trade-off)', () => {
    const credentials = protectCredentials({ username: 'john.doe', password: PASSWORD });
    expect(Object.keys(credentials)).toEqual(['username']);
    expect({ ...credentials }).toEqual({ username: 'john.doe' });
    expect('password' in credentials).toBe(true);
    expect(structuredClone(credentials)).toEqual({ username: 'john.doe' });
  });

  test('returns a frozen copy and leaves the input alone', () => {
    const input = { username: 'john.doe', password: PASSWORD };
    const credentials = protectCredentials(input);
    expect(credentials).not.toBe(input);
    expect(Object.isFrozen(credentials)).toBe(true);
    expect(() => {
      (credentials as { password: string }).password = 'other';
    }).toThrow(TypeError);
    expect(input).toEqual({ username: 'john.doe', password: PASSWORD });
  });

  test('protecting twice keeps the secret', () => {
    const twice = protectCredentials(protectCredentials({ username: 'john', password: PASSWORD }));
    expect(twice.password).toBe(PASSWORD);
    expect(JSON.stringify(twice)).not.toContain(PASSWORD);
  });

  test('an error carrying protected credentials in its cause does not leak them', () => {
    const credentials = protectCredentials({ username: 'john', password: PASSWORD });
    const error = new Error('login failed', { cause: { credentials } });
    expect(inspect(error)).not.toContain(PASSWORD);
  });
});

describe('redact', () => {
  test('never depends on the secret', () => {
    expect(redact(PASSWORD)).toBe(REDACTED);
    expect(redact('')).toBe(REDACTED);
  });
});

describe('namespaceFor', () => {
  const baseUrl = 'https://api.connexease.com';

  test('is 32 lower-case hex characters and stable', async () => {
    const ns = await namespaceFor({ baseUrl, username: 'john.doe', mode: 'jwt' });
    expect(ns).toMatch(/^[0-9a-f]{32}$/);
    expect(await namespaceFor({ baseUrl, username: 'john.doe', mode: 'jwt' })).toBe(ns);
    expect(ns).not.toContain('john');
  });

  test('treats equivalent spellings of the base URL as the same API', async () => {
    const expected = await namespaceFor({ baseUrl, username: 'john.doe', mode: 'jwt' });
    for (const spelling of [
      'https://api.connexease.com/',
      'HTTPS://API.CONNEXEASE.COM',
      'https://api.connexease.com:443//',
    ]) {
      expect(await namespaceFor({ baseUrl: spelling, username: 'john.doe', mode: 'jwt' })).toBe(expected);
    }
  });

  test('separates base URLs, users and modes', async () => {
    const inputs = [
      { baseUrl, username: 'john.doe', mode: 'jwt' as const },
      { baseUrl: 'https://staging.connexease.com', username: 'john.doe', mode: 'jwt' as const },
      { baseUrl: 'http://api.connexease.com', username: 'john.doe', mode: 'jwt' as const },
      { baseUrl: `${baseUrl}/v2`, username: 'john.doe', mode: 'jwt' as const },
      { baseUrl, username: 'John.doe', mode: 'jwt' as const },
      { baseUrl, username: 'jane', mode: 'jwt' as const },
      { baseUrl, username: 'john.doe', mode: 'bearer' as const },
      { baseUrl, mode: 'bearer' as const },
      // Naive concatenation would make these two collide.
      { baseUrl: `${baseUrl}/a`, username: 'b', mode: 'jwt' as const },
      { baseUrl, username: 'a/b', mode: 'jwt' as const },
    ];
    const namespaces = await Promise.all(inputs.map(namespaceFor));
    expect(new Set(namespaces).size).toBe(inputs.length);
  });

  test('never collides for distinct users (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), async (a, b) => {
        fc.pre(a.normalize('NFC') !== b.normalize('NFC') && a.trim() !== '' && b.trim() !== '');
        const [nsA, nsB] = await Promise.all([
          namespaceFor({ baseUrl, username: a, mode: 'jwt' }),
          namespaceFor({ baseUrl, username: b, mode: 'jwt' }),
        ]);
        expect(nsA).not.toBe(nsB);
      }),
      { numRuns: 200 },
    );
  });

  test('rejects a JWT namespace without a username, and a bad base URL', async () => {
    expect((await rejectionOf(namespaceFor({ baseUrl, mode: 'jwt' }))).code).toBe('CONFIG_INVALID');
    expect((await rejectionOf(namespaceFor({ baseUrl: 'nope', username: 'a', mode: 'jwt' }))).code).toBe(
      'CONFIG_INVALID',
    );
  });
});

describe('credentialFingerprint', () => {
  const credentials = { username: 'john.doe', password: PASSWORD };

  test('is stable, base64url, and does not contain the password', async () => {
    const fingerprint = await credentialFingerprint(credentials, 'ns-1');
    expect(fingerprint).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await credentialFingerprint({ ...credentials }, 'ns-1')).toBe(fingerprint);
    expect(fingerprint).not.toContain(PASSWORD);
  });

  test('matches an independent PBKDF2-SHA-256 computation (so other processes agree)', async () => {
    const { pbkdf2Sync } = await import('node:crypto');
    const salt = JSON.stringify(['cxk-fp-v1', 'ns-1', 'john.doe']);
    const expected = pbkdf2Sync(PASSWORD, salt, 200_000, 32, 'sha256').toString('base64url');
    expect(await credentialFingerprint(credentials, 'ns-1')).toBe(expected);
  });

  test('differs for another password, user or namespace', async () => {
    const fingerprints = await Promise.all([
      credentialFingerprint(credentials, 'ns-1'),
      credentialFingerprint({ ...credentials, password: `${PASSWORD}!` }, 'ns-1'),
      credentialFingerprint({ ...credentials, username: 'jane' }, 'ns-1'),
      credentialFingerprint(credentials, 'ns-2'),
    ]);
    expect(new Set(fingerprints).size).toBe(4);
  });

  test('works with protected credentials', async () => {
    expect(await credentialFingerprint(protectCredentials(credentials), 'ns-1')).toBe(
      await credentialFingerprint(credentials, 'ns-1'),
    );
  });

  test('rejects a missing password or namespace without echoing anything secret', async () => {
    const noPassword = await rejectionOf(credentialFingerprint({ username: 'john', password: '' }, 'ns'));
    expect(noPassword.code).toBe('CONFIG_INVALID');
    const noNamespace = await rejectionOf(credentialFingerprint(credentials, ''));
    expect(noNamespace.code).toBe('CONFIG_INVALID');
    expect(noNamespace.message).not.toContain(PASSWORD);
  });
});
