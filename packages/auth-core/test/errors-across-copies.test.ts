/**
 * Two installed copies of auth-core are common (a store and http-ky resolved to different versions):
 * an error made by one copy must be recognised by the other, or the provider's store guard mistakes a
 * store's CONFIG_INVALID for a retryable outage. Packs auth-core as two versions, installs both into a
 * plain npm project under aliases, and lets copy B's provider meet a store that throws copy A's errors.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { assertAuthCoreBuilt, installConsumer, packAuthCoreAs, runModule } from './support/packed-copies.ts';

const CROSS_COPY_PROGRAM = `
import * as a from 'core-a';
import { TOKEN_STORE_METHODS } from 'core-a/store';
import * as b from 'core-b';
import { readFileSync } from 'node:fs';

const versionOf = (name) => JSON.parse(readFileSync(new URL('./node_modules/' + name + '/package.json', import.meta.url))).version;

// A store built on copy A: misconfigured, as a store whose connection options are wrong says so.
const misconfigured = () => Promise.reject(new a.ConnexeaseAuthError('CONFIG_INVALID', 'the store is misconfigured'));
const store = Object.fromEntries(TOKEN_STORE_METHODS.map((method) => [method, misconfigured]));
store.close = async () => {};

// The provider comes from copy B.
const provider = b.createTokenProvider({
  credentials: { username: 'cross', password: 'copies' },
  store,
  issuer: () => Promise.reject(new Error('the issuer must not be called')),
  retry: { attempts: 1 },
});
let outcome;
try {
  await provider.getAuthorization();
  outcome = { resolved: true };
} catch (error) {
  outcome = {
    code: error.code,
    sameObject: error instanceof a.ConnexeaseAuthError,
    recognisedByB: b.isConnexeaseAuthError(error, 'CONFIG_INVALID'),
  };
} finally {
  await provider.close();
}
const fromA = new a.ConnexeaseAuthError('TIMEOUT', 'x');
console.log(JSON.stringify({
  versions: [versionOf('core-a'), versionOf('core-b')],
  distinctClasses: a.ConnexeaseAuthError !== b.ConnexeaseAuthError,
  outcome,
  bSeesA: b.isConnexeaseAuthError(fromA),
  bSeesACode: b.isConnexeaseAuthError(fromA, 'TIMEOUT'),
  bRejectsOtherCode: b.isConnexeaseAuthError(fromA, 'ABORTED'),
  aSeesB: a.isConnexeaseAuthError(new b.ConnexeaseAuthError('BLOCKED', 'x')),
  lookalike: b.isConnexeaseAuthError(Object.assign(new Error('x'), { name: 'ConnexeaseAuthError', code: 'TIMEOUT' })),
}));
`;

let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'cxk-error-copies-'));
});

afterAll(async () => {
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

test('a store error from one installed copy of auth-core is handled right by a provider from another', {
  timeout: 120_000,
}, async () => {
  await assertAuthCoreBuilt();
  const app = join(workDir, 'app');
  await installConsumer(app, {
    'core-a': await packAuthCoreAs('1.0.0', workDir),
    'core-b': await packAuthCoreAs('1.1.0', workDir),
  });
  const result = JSON.parse(await runModule(app, CROSS_COPY_PROGRAM));

  expect(result.versions, 'two versions of auth-core are installed').toEqual(['1.0.0', '1.1.0']);
  expect(result.distinctClasses, 'each copy has its own ConnexeaseAuthError class').toBe(true);
  expect(
    result.outcome,
    "copy B's provider passes copy A's CONFIG_INVALID through unchanged, not as STORE_UNAVAILABLE",
  ).toEqual({ code: 'CONFIG_INVALID', sameObject: true, recognisedByB: true });
  expect(result.bSeesA, 'isConnexeaseAuthError recognises an error from another copy').toBe(true);
  expect(result.bSeesACode, 'and its code').toBe(true);
  expect(result.bRejectsOtherCode, 'a code that differs still does not match').toBe(false);
  expect(result.aSeesB, 'in both directions').toBe(true);
  expect(result.lookalike, 'an Error merely named ConnexeaseAuthError is not one').toBe(false);
});
