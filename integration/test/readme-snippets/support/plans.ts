/**
 * What every README snippet needs to run, by id (`<readme> > <heading> #<n>`). The test fails for a
 * snippet that has no plan here, and for a plan whose snippet is gone: a new snippet gets a plan (and
 * so a run) before it can land.
 */

/** Values the README's text gives a snippet without declaring them; the prelude defines them as globals. */
export type SnippetGlobal =
  | 'username'
  | 'password'
  | 'log'
  | 'logger'
  | 'addTracing'
  | 'signal'
  | 'url'
  | 'redis'
  | 'provider'
  | 'jwt'
  | 'accessToken'
  | 'dateHeader'
  | 'reservedAt'
  | 'now'
  | 'response'
  | 'issuer'
  | 'store';

export interface SnippetPlan {
  /** `redis`: needs the local Redis (`REDIS_URL`); `mock`: the mock API alone. Both run in both consumers. */
  needs: 'mock' | 'redis';
  /** Whether it must make at least one signed API call (to the mock, through any fetch). */
  calls: boolean;
  /** Names it uses that the README defines in its text or in an earlier snippet. */
  globals?: readonly SnippetGlobal[];
  /** Lines put before it: the imports an earlier snippet of the same section made. */
  context?: string;
  /** Reads credentials from the environment (`createConnexeaseClientFromEnv`): no access token is set. */
  fromEnv?: boolean;
  /** Text replaced before running: a path the test may not write to becomes a temporary directory. */
  tempDirectoryFor?: string;
}

const HTTP_KY_IMPORT = "import { createConnexeaseClient } from '@connexease-kit/http-ky';";

export const SNIPPET_PLANS: Readonly<Record<string, SnippetPlan>> = {
  'README.md > Quick start: one process #1': { needs: 'mock', calls: true },
  'README.md > Quick start: a fleet with Redis #1': { needs: 'redis', calls: true },
  'README.md > Quick start: Account Access Tokens (Bearer) #1': { needs: 'mock', calls: true },
  'README.md > Quick start: not on ky? #1': { needs: 'mock', calls: true },

  'packages/http-ky/README.md > Quick start: one process #1': { needs: 'mock', calls: true },
  'packages/http-ky/README.md > Quick start: Account Access Token (Bearer, recommended) #1': {
    needs: 'mock',
    calls: true,
    context: HTTP_KY_IMPORT,
  },
  'packages/http-ky/README.md > One host: file store #1': {
    needs: 'mock',
    calls: false,
    context: HTTP_KY_IMPORT,
    globals: ['username', 'password'],
  },
  'packages/http-ky/README.md > One host: file store #2': {
    needs: 'mock',
    calls: false,
    context: HTTP_KY_IMPORT,
    globals: ['username', 'password'],
    tempDirectoryFor: '/var/lib/orders/connexease-kit',
  },
  'packages/http-ky/README.md > A fleet: Redis #1': {
    needs: 'redis',
    calls: false,
    globals: ['username', 'password', 'log'],
  },
  'packages/http-ky/README.md > Several hosts: `forHost` #1': { needs: 'mock', calls: true },
  'packages/http-ky/README.md > Your own ky instance: `authHooks` #1': {
    needs: 'mock',
    calls: false,
    globals: ['username', 'password', 'addTracing'],
  },
  'packages/http-ky/README.md > Configuration from the environment #1': {
    needs: 'mock',
    calls: false,
    fromEnv: true,
  },

  'packages/http-fetch/README.md > Quick start #1': { needs: 'mock', calls: true },
  'packages/http-fetch/README.md > Quick start #2': { needs: 'mock', calls: true },
  'packages/http-fetch/README.md > One credential, several hosts #1': { needs: 'mock', calls: true },
  "packages/http-fetch/README.md > Node's own fetch #1": { needs: 'mock', calls: true },
  'packages/http-fetch/README.md > undici with a custom Agent #1': { needs: 'mock', calls: true },
  'packages/http-fetch/README.md > openapi-fetch #1': { needs: 'mock', calls: true },
  'packages/http-fetch/README.md > axios with its fetch adapter #1': { needs: 'mock', calls: true },
  'packages/http-fetch/README.md > Your own provider: `authFetch` and the fetch issuer #1': {
    needs: 'mock',
    calls: true,
  },
  'packages/http-fetch/README.md > A fleet: Redis #1': { needs: 'redis', calls: true },
  'packages/http-fetch/README.md > Configuration from the environment #1': {
    needs: 'mock',
    calls: true,
    fromEnv: true,
  },

  'packages/auth-core/README.md > Token provider #1': {
    needs: 'redis',
    calls: true,
    globals: ['redis', 'logger', 'signal', 'url'],
  },
  'packages/auth-core/README.md > Diagnostics channels #1': { needs: 'mock', calls: false },
  'packages/auth-core/README.md > Errors #1': { needs: 'mock', calls: false, globals: ['provider'] },
  'packages/auth-core/README.md > Header schemes #1': {
    needs: 'mock',
    calls: false,
    globals: ['jwt', 'accessToken'],
  },
  'packages/auth-core/README.md > JWT claims and expiry #1': {
    needs: 'mock',
    calls: false,
    globals: ['jwt', 'dateHeader'],
  },
  'packages/auth-core/README.md > Quota (sliding window) #1': {
    needs: 'mock',
    calls: false,
    globals: ['reservedAt', 'now'],
  },
  'packages/auth-core/README.md > Classifying `POST /jwt/` responses #1': {
    needs: 'mock',
    calls: false,
    globals: ['response', 'password'],
  },
  'packages/auth-core/README.md > Configuration #1': {
    needs: 'mock',
    calls: false,
    globals: ['password', 'issuer', 'store'],
    fromEnv: true,
  },
  'packages/auth-core/README.md > Secrets #1': { needs: 'mock', calls: false, globals: ['password'] },
  'packages/auth-core/README.md > Encryption at rest #1': {
    needs: 'redis',
    calls: false,
    globals: ['redis'],
  },
};

/** The READMEs whose snippets run, with the package each belongs to (its install lines' anchor). */
export const READMES: readonly { readme: string; ownPackage: string | undefined }[] = [
  { readme: 'README.md', ownPackage: undefined },
  { readme: 'packages/http-ky/README.md', ownPackage: '@connexease-kit/http-ky' },
  { readme: 'packages/http-fetch/README.md', ownPackage: '@connexease-kit/http-fetch' },
  { readme: 'packages/auth-core/README.md', ownPackage: '@connexease-kit/auth-core' },
];
