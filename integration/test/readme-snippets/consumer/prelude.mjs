/**
 * Loaded with `node --import` before a README snippet, inside the consumer project (so bare imports
 * resolve from its node_modules only). It sends the hosts the snippet names (https://api.connexease.com,
 * https://stream.connexease.com) to the mock APIs over plain HTTP, counts the signed API calls that
 * reach them, and defines the globals the README's text gives the snippet (SNIPPET_GLOBALS).
 */
const hosts = Object.entries(JSON.parse(process.env.SNIPPET_HOSTS ?? '{}'));
const counter = { calls: 0 };
globalThis.__snippetCounter = counter;

function rewrite(url) {
  for (const [from, to] of hosts) if (url.startsWith(from)) return `${to}${url.slice(from.length)}`;
  return url;
}

function count(url, authorization) {
  const path = new URL(url).pathname;
  if (path.endsWith('/jwt/')) return;
  if (typeof authorization === 'string' && /^(JWT|Bearer) \S+$/.test(authorization)) counter.calls++;
}

const platformFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  if (input instanceof Request) {
    const target = rewrite(input.url);
    const request = target === input.url ? input : new Request(target, input);
    count(request.url, request.headers.get('authorization'));
    return platformFetch(request, init);
  }
  const target = rewrite(String(input));
  count(target, new Headers(init?.headers).get('authorization'));
  return platformFetch(target, init);
};

/** A header of undici's dispatch options: a record, `[name, value]` pairs or a flat name, value list. */
function headerValue(headers, name) {
  if (headers === undefined || headers === null) return null;
  if (!Array.isArray(headers)) return new Headers(headers).get(name);
  const pairs = Array.isArray(headers[0]) ? headers : [];
  if (pairs.length === 0)
    for (let i = 0; i + 1 < headers.length; i += 2) pairs.push([headers[i], headers[i + 1]]);
  const found = pairs.find(([key]) => String(key).toLowerCase() === name);
  return found === undefined ? null : String(found[1]);
}

// undici's own fetch with a custom Agent does not go through globalThis.fetch: redirect its dispatcher.
try {
  const { Agent } = await import('undici');
  const dispatch = Agent.prototype.dispatch;
  Agent.prototype.dispatch = function redirected(options, handler) {
    const origin = rewrite(String(options.origin));
    count(`${origin}${options.path}`, headerValue(options.headers, 'authorization'));
    return dispatch.call(this, { ...options, origin }, handler);
  };
} catch {
  // undici is not installed in this consumer.
}

const requested = new Set((process.env.SNIPPET_GLOBALS ?? '').split(',').filter(Boolean));
const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
const seconds = Math.floor(Date.now() / 1000);
const jwt = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ user_id: 1, iat: seconds, exp: seconds + 86_400 })}.c2ln`;
const quiet = { info() {}, warn() {}, error() {}, debug() {} };
const noopStore = Object.fromEntries(
  [
    'readToken',
    'writeToken',
    'discardToken',
    'acquireLease',
    'extendLease',
    'releaseLease',
    'readLease',
    'reserveIssue',
    'quotaUsage',
    'restoreQuota',
    'clearQuotaLoss',
    'readBlock',
    'writeBlock',
    'clearBlock',
    'waitForToken',
    'close',
  ].map((name) => [name, async () => null]),
);
const factories = {
  username: () => process.env.CONNEXEASE_USERNAME,
  password: () => process.env.CONNEXEASE_PASSWORD,
  log: () => quiet,
  logger: () => quiet,
  addTracing: () => () => {},
  signal: () => new AbortController().signal,
  url: () => 'https://api.connexease.com/some/endpoint/',
  redis: async () => {
    const { Redis } = await import('ioredis');
    return new Redis(process.env.REDIS_URL);
  },
  provider: () => ({ getAuthorization: async () => `JWT ${jwt}` }),
  jwt: () => jwt,
  accessToken: () => 'cxk-readme-access-token',
  dateHeader: () => new Date().toUTCString(),
  reservedAt: () => [Date.now() - 60_000, Date.now() - 1_000],
  now: () => Date.now(),
  response: () =>
    new Response(JSON.stringify({ token: jwt, account: { uuid: 'readme' } }), {
      headers: { 'content-type': 'application/json', date: new Date().toUTCString() },
    }),
  issuer: () => async () => ({ token: jwt, receivedAt: Date.now() }),
  store: () => noopStore,
};
for (const name of requested) {
  const factory = factories[name];
  if (factory === undefined) throw new Error(`the prelude has no global "${name}"`);
  globalThis[name] = await factory();
}
