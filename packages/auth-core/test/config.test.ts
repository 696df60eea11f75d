import type { ConnexeaseAuthError, JwtIssuer, TokenProviderOptions } from '@connexease-kit/auth-core';
import { systemClock } from '@connexease-kit/auth-core/store';
import {
  readEnvConfig,
  resolveProviderOptions,
  validateCredentials,
} from '@connexease-kit/auth-core/transport';
import { describe, expect, test } from 'vitest';
import { catchAuthError, rejectionOf } from './support/errors.ts';
import { createMapTokenStore } from './support/map-token-store.ts';

const PASSWORD = 'hunter2-SECRET';
const ACCESS_TOKEN = 'cxat_live_TOKEN-SECRET';
const issuer: JwtIssuer = async () => ({ token: 'x', receivedAt: 0 });

function expectNoSecrets(error: ConnexeaseAuthError) {
  for (const text of [error.message, JSON.stringify(error)]) {
    expect(text).not.toContain(PASSWORD);
    expect(text).not.toContain(ACCESS_TOKEN);
  }
}

describe('validateCredentials', () => {
  test('accepts { username, password } and { accessToken }, returning protected copies', () => {
    const source = { username: 'john.doe', password: PASSWORD };
    const credentials = validateCredentials(source);
    expect(credentials).not.toBe(source);
    expect(credentials).toMatchObject({ username: 'john.doe' });
    expect((credentials as { password: string }).password).toBe(PASSWORD);
    expect(Object.isFrozen(credentials)).toBe(true);
    expect(JSON.stringify(credentials)).not.toContain(PASSWORD);

    const bearer = validateCredentials({ accessToken: ACCESS_TOKEN });
    expect((bearer as { accessToken: string }).accessToken).toBe(ACCESS_TOKEN);
    expect(JSON.stringify(bearer)).not.toContain(ACCESS_TOKEN);
  });

  test.each([
    ['nothing', undefined, /credentials are required/],
    ['null', null, /credentials are required/],
    ['a string', PASSWORD, /credentials are required/],
    ['an empty object', {}, /credentials are empty/],
    ['a missing username', { password: PASSWORD }, /credentials\.username is required/],
    ['an empty username', { username: '', password: PASSWORD }, /credentials\.username is required/],
    ['a blank username', { username: '  \t', password: PASSWORD }, /credentials\.username is required/],
    ['a numeric username', { username: 42, password: PASSWORD }, /credentials\.username is required/],
    ['a missing password', { username: 'john' }, /credentials\.password is required/],
    ['an empty password', { username: 'john', password: '' }, /credentials\.password is required/],
    [
      'both kinds',
      { accessToken: ACCESS_TOKEN, username: 'john', password: PASSWORD },
      /either accessToken or username \+ password, not both/,
    ],
    ['an empty access token', { accessToken: '' }, /credentials\.accessToken is empty/],
    [
      'an access token with a newline',
      { accessToken: `${ACCESS_TOKEN}\n` },
      /credentials\.accessToken contains a line break/,
    ],
    [
      'an access token with a space',
      { accessToken: `Bearer ${ACCESS_TOKEN}` },
      /credentials\.accessToken contains whitespace/,
    ],
    ['a numeric access token', { accessToken: 123 }, /credentials\.accessToken is not a string/],
  ])('rejects %s with CONFIG_INVALID naming the field, not the value', (_, input, message) => {
    const error = catchAuthError(() => validateCredentials(input));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(message);
    expectNoSecrets(error);
  });
});

describe('resolveProviderOptions', () => {
  const store = createMapTokenStore();
  const base: TokenProviderOptions = {
    credentials: { username: 'john.doe', password: PASSWORD },
    issuer,
    store,
  };

  test('applies every default', () => {
    const resolved = resolveProviderOptions(base);
    expect(resolved).toMatchObject({
      mode: 'jwt',
      baseUrl: 'https://api.connexease.com',
      issuer,
      store,
      quota: { limit: 25, windowMs: 86_400_000 },
      refreshBeforeExpiryMs: 1_800_000,
      invalidCredentialsBlockMs: 3_600_000,
      leaseTtlMs: 30_000,
      waitTimeoutMs: 60_000,
      pollIntervalMs: 1000,
      issueTimeoutMs: 30_000,
      unauthorizedRefreshIntervalMs: 60_000,
      retry: { attempts: 3, baseDelayMs: 500, maxDelayMs: 10_000 },
      quotaLowRatio: 0.2,
      onEvent: undefined,
      clock: systemClock,
      random: Math.random,
      warnings: [],
    });
    expect(JSON.stringify(resolved.credentials)).not.toContain(PASSWORD);
    expect((resolved.credentials as { password: string }).password).toBe(PASSWORD);
  });

  test('keeps valid overrides and normalises the base URL', () => {
    const clock = { now: () => 5, sleep: async () => {} };
    const random = () => 0.5;
    const resolved = resolveProviderOptions({
      ...base,
      baseUrl: 'HTTPS://Staging.Example.com:443/api/',
      quota: { limit: 5, windowMs: 60_000 },
      refreshBeforeExpiryMs: 0,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      pollIntervalMs: 10,
      waitTimeoutMs: 10,
      quotaLowRatio: 1,
      clock,
      random,
    });
    expect(resolved).toMatchObject({
      baseUrl: 'https://staging.example.com/api',
      quota: { limit: 5, windowMs: 60_000 },
      refreshBeforeExpiryMs: 0,
      retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 },
      clock,
      random,
    });
    expect(resolved.warnings.join('\n')).toMatch(/shorter than 24 hours/);
  });

  test('bearer credentials need neither issuer nor store', () => {
    const resolved = resolveProviderOptions({ credentials: { accessToken: ACCESS_TOKEN } });
    expect(resolved).toMatchObject({ mode: 'bearer', issuer: undefined, store: undefined });
  });

  test('warns about unknown option names (typos) instead of silently ignoring them', () => {
    const resolved = resolveProviderOptions({ ...base, refreshBeforeExpiry: 5 } as TokenProviderOptions);
    expect(resolved.warnings).toContain('unknown option "refreshBeforeExpiry" is ignored');
  });

  test('names the retired rejectedTokenMinAgeMs and what replaced it', () => {
    const resolved = resolveProviderOptions({ ...base, rejectedTokenMinAgeMs: 500 } as TokenProviderOptions);
    expect(resolved.warnings).toEqual([
      expect.stringMatching(/"rejectedTokenMinAgeMs" is ignored.*unauthorizedRefreshIntervalMs/),
    ]);
    expect(resolved).not.toHaveProperty('rejectedTokenMinAgeMs');
  });

  const bad: [string, Partial<Record<keyof TokenProviderOptions, unknown>>, RegExp][] = [
    ['no issuer for password credentials', { issuer: undefined }, /issuer is required/],
    ['no store for password credentials', { store: undefined }, /store is required/],
    ['an issuer that is not a function', { issuer: {} }, /issuer must be a function/],
    [
      'a store missing methods',
      { store: { readToken() {} } },
      /store is not a TokenStore: it lacks writeToken\(\)/,
    ],
    ['a store that is not an object', { store: 'redis://localhost' }, /store must be a TokenStore/],
    ['a relative baseUrl', { baseUrl: '/api' }, /baseUrl is not a valid URL/],
    ['an ftp baseUrl', { baseUrl: 'ftp://api.connexease.com' }, /baseUrl must use http: or https:/],
    [
      'a baseUrl with credentials',
      { baseUrl: `https://john:${PASSWORD}@api.connexease.com` },
      /baseUrl must not contain/,
    ],
    [
      'a baseUrl with a query',
      { baseUrl: 'https://api.connexease.com/?token=1' },
      /baseUrl must not have a query/,
    ],
    ['an empty baseUrl', { baseUrl: '' }, /baseUrl must be an absolute/],
    ['a quota limit of 31', { quota: { limit: 31 } }, /quota\.limit is 31/],
    [
      'a fractional refreshBeforeExpiryMs',
      { refreshBeforeExpiryMs: 1.5 },
      /refreshBeforeExpiryMs must be an integer/,
    ],
    [
      'a negative refreshBeforeExpiryMs',
      { refreshBeforeExpiryMs: -1 },
      /refreshBeforeExpiryMs must be an integer/,
    ],
    ['a refreshBeforeExpiryMs above 24 h', { refreshBeforeExpiryMs: 86_400_001 }, /refreshBeforeExpiryMs/],
    [
      'a zero invalidCredentialsBlockMs',
      { invalidCredentialsBlockMs: 0 },
      /invalidCredentialsBlockMs must be/,
    ],
    ['an infinite leaseTtlMs', { leaseTtlMs: Number.POSITIVE_INFINITY }, /leaseTtlMs must be/],
    ['a string waitTimeoutMs', { waitTimeoutMs: '60000' }, /waitTimeoutMs must be .* \(got string\)/],
    ['a null waitTimeoutMs', { waitTimeoutMs: null }, /waitTimeoutMs must be .* \(got object\)/],
    [
      'a pollIntervalMs above waitTimeoutMs',
      { waitTimeoutMs: 100, pollIntervalMs: 200 },
      /pollIntervalMs .* to 100/,
    ],
    ['NaN pollIntervalMs', { pollIntervalMs: Number.NaN }, /pollIntervalMs must be/],
    ['a zero issueTimeoutMs', { issueTimeoutMs: 0 }, /issueTimeoutMs must be/],
    [
      'a zero unauthorizedRefreshIntervalMs',
      { unauthorizedRefreshIntervalMs: 0 },
      /unauthorizedRefreshIntervalMs must be/,
    ],
    [
      'zero retry attempts',
      { retry: { attempts: 0 } },
      /retry\.attempts must be an integer number of attempts/,
    ],
    ['eleven retry attempts', { retry: { attempts: 11 } }, /retry\.attempts/],
    ['a negative base delay', { retry: { baseDelayMs: -1 } }, /retry\.baseDelayMs/],
    [
      'a max delay below the base delay',
      { retry: { baseDelayMs: 500, maxDelayMs: 100 } },
      /retry\.maxDelayMs .* from 500/,
    ],
    ['a retry that is not an object', { retry: 3 }, /retry must be an object/],
    ['a quotaLowRatio above 1', { quotaLowRatio: 1.5 }, /quotaLowRatio must be a number from 0 to 1/],
    ['a NaN quotaLowRatio', { quotaLowRatio: Number.NaN }, /quotaLowRatio/],
    ['an onEvent that is not a function', { onEvent: 'log' }, /onEvent must be a function/],
    ['a clock without sleep', { clock: { now: () => 1 } }, /clock must be an object with now\(\) and sleep/],
    ['a random that is not a function', { random: 0.5 }, /random must be a function/],
    [
      'bad credentials',
      { credentials: { username: '', password: PASSWORD } },
      /credentials\.username is required/,
    ],
  ];

  test.each(bad)('rejects %s with CONFIG_INVALID naming the option', (_, override, message) => {
    const error = catchAuthError(() =>
      resolveProviderOptions({ ...base, ...override } as TokenProviderOptions),
    );
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(message);
    expectNoSecrets(error);
  });

  test('rejects options that are not an object', () => {
    expect(catchAuthError(() => resolveProviderOptions(undefined as never)).code).toBe('CONFIG_INVALID');
  });
});

describe('systemClock', () => {
  test('now() is the wall clock', () => {
    const before = Date.now();
    const now = systemClock.now();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  test('sleep resolves after its delay', async () => {
    await expect(systemClock.sleep(1)).resolves.toBeUndefined();
  });

  test('sleep rejects with ABORTED when its signal aborts, and at once if already aborted', async () => {
    const controller = new AbortController();
    const sleeping = systemClock.sleep(60_000, controller.signal);
    controller.abort(new Error('shutdown'));
    expect((await rejectionOf(sleeping)).code).toBe('ABORTED');
    expect((await rejectionOf(systemClock.sleep(60_000, AbortSignal.abort()))).code).toBe('ABORTED');
  });
});

describe('readEnvConfig', () => {
  test('reads password credentials and every optional variable', () => {
    const config = readEnvConfig({
      CONNEXEASE_BASE_URL: 'https://api.connexease.com/',
      CONNEXEASE_USERNAME: 'john.doe',
      CONNEXEASE_PASSWORD: PASSWORD,
      CONNEXEASE_REDIS_URL: 'redis://:pw@redis:6379/0',
      CONNEXEASE_JWT_DAILY_LIMIT: '20',
      CONNEXEASE_STORE: 'Redis',
    });
    expect(config).toMatchObject({
      baseUrl: 'https://api.connexease.com',
      credentials: { username: 'john.doe' },
      redisUrl: 'redis://:pw@redis:6379/0',
      quota: { limit: 20 },
      store: 'redis',
    });
    expect((config.credentials as { password: string }).password).toBe(PASSWORD);
    expect(JSON.stringify(config)).not.toContain(PASSWORD);
  });

  test('reads CONNEXEASE_STORE=postgres with CONNEXEASE_DATABASE_URL', () => {
    const config = readEnvConfig({
      CONNEXEASE_USERNAME: 'john.doe',
      CONNEXEASE_PASSWORD: PASSWORD,
      CONNEXEASE_STORE: 'Postgres',
      CONNEXEASE_DATABASE_URL: ' postgresql://app:pw@db:5432/app?sslmode=require ',
    });
    expect(config).toMatchObject({
      store: 'postgres',
      databaseUrl: 'postgresql://app:pw@db:5432/app?sslmode=require',
    });
  });

  test('reads an access token alone, treating empty variables as unset', () => {
    const config = readEnvConfig({
      CONNEXEASE_ACCESS_TOKEN: ACCESS_TOKEN,
      CONNEXEASE_USERNAME: '',
      CONNEXEASE_PASSWORD: '',
      CONNEXEASE_BASE_URL: '',
    });
    expect(Object.keys(config)).toEqual(['credentials']);
    expect((config.credentials as { accessToken: string }).accessToken).toBe(ACCESS_TOKEN);
  });

  test('defaults to process.env', () => {
    const saved = { ...process.env };
    try {
      process.env.CONNEXEASE_ACCESS_TOKEN = ACCESS_TOKEN;
      delete process.env.CONNEXEASE_USERNAME;
      delete process.env.CONNEXEASE_PASSWORD;
      expect((readEnvConfig().credentials as { accessToken: string }).accessToken).toBe(ACCESS_TOKEN);
    } finally {
      process.env = saved;
    }
  });

  const bad: [string, Record<string, string>, RegExp][] = [
    [
      'nothing set',
      {},
      /set CONNEXEASE_ACCESS_TOKEN \(recommended\), or CONNEXEASE_USERNAME and CONNEXEASE_PASSWORD/,
    ],
    [
      'both kinds of credentials',
      { CONNEXEASE_ACCESS_TOKEN: ACCESS_TOKEN, CONNEXEASE_USERNAME: 'john', CONNEXEASE_PASSWORD: PASSWORD },
      /either CONNEXEASE_ACCESS_TOKEN or CONNEXEASE_USERNAME \+ CONNEXEASE_PASSWORD, not both/,
    ],
    ['a password without a username', { CONNEXEASE_PASSWORD: PASSWORD }, /CONNEXEASE_USERNAME is required/],
    [
      'a blank username',
      { CONNEXEASE_USERNAME: ' ', CONNEXEASE_PASSWORD: PASSWORD },
      /CONNEXEASE_USERNAME is required/,
    ],
    ['a username without a password', { CONNEXEASE_USERNAME: 'john' }, /CONNEXEASE_PASSWORD is required/],
    [
      'an access token with a newline',
      { CONNEXEASE_ACCESS_TOKEN: `${ACCESS_TOKEN}\n` },
      /CONNEXEASE_ACCESS_TOKEN contains a line break/,
    ],
  ];
  const withToken = { CONNEXEASE_ACCESS_TOKEN: ACCESS_TOKEN };
  bad.push(
    [
      'a limit of 31',
      { ...withToken, CONNEXEASE_JWT_DAILY_LIMIT: '31' },
      /CONNEXEASE_JWT_DAILY_LIMIT must be an integer from 1 to 30/,
    ],
    ['a limit of 0', { ...withToken, CONNEXEASE_JWT_DAILY_LIMIT: '0' }, /CONNEXEASE_JWT_DAILY_LIMIT/],
    ['a fractional limit', { ...withToken, CONNEXEASE_JWT_DAILY_LIMIT: '2.5' }, /CONNEXEASE_JWT_DAILY_LIMIT/],
    ['a word as limit', { ...withToken, CONNEXEASE_JWT_DAILY_LIMIT: 'twenty' }, /CONNEXEASE_JWT_DAILY_LIMIT/],
    [
      'a bad base URL',
      { ...withToken, CONNEXEASE_BASE_URL: 'api.connexease.com' },
      /CONNEXEASE_BASE_URL is not a valid URL/,
    ],
    [
      'an http redis URL',
      { ...withToken, CONNEXEASE_REDIS_URL: 'http://:pw@redis:6379' },
      /CONNEXEASE_REDIS_URL must be a redis:\/\//,
    ],
    [
      'an unknown store',
      { ...withToken, CONNEXEASE_STORE: 'mongodb' },
      /CONNEXEASE_STORE must be one of memory, redis, file, postgres/,
    ],
    [
      'a mysql database URL',
      { ...withToken, CONNEXEASE_DATABASE_URL: 'mysql://user:pw@db/app' },
      /CONNEXEASE_DATABASE_URL must be a postgres:\/\//,
    ],
    [
      'a postgres store without a URL',
      { ...withToken, CONNEXEASE_STORE: 'postgres' },
      /CONNEXEASE_DATABASE_URL is required/,
    ],
    [
      'a redis store without a URL',
      { ...withToken, CONNEXEASE_STORE: 'redis' },
      /CONNEXEASE_REDIS_URL is required/,
    ],
  );

  test.each(bad)('rejects %s with CONFIG_INVALID naming the variable', (_, env, message) => {
    const error = catchAuthError(() => readEnvConfig(env));
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toMatch(message);
    expectNoSecrets(error);
    expect(error.message).not.toContain(':pw@');
  });
});
