import { type AuthEvent, ConnexeaseAuthError, createTokenProvider } from '@connexease-kit/auth-core';
import { formatWindow, quotaSummary, type TokenRecord } from '@connexease-kit/auth-core/store';
import { formatAuthorization, isHeaderSafeToken } from '@connexease-kit/auth-core/transport';
import { CliError } from '../cli-error.ts';
import type { CommandContext } from '../context.ts';
import { type NamespaceHandle, withNamespace } from '../context.ts';
import { describeBlock, isBlockActive } from '../describe-block.ts';
import { EXIT_CODES } from '../exit-codes.ts';
import { formatInstant } from '../format.ts';
import type { Output } from '../io.ts';
import { obtainPassword } from '../password.ts';
import { resolveSettings, type Settings } from '../settings.ts';

/**
 * `connexease-auth token [--no-issue] [--quiet]`: prints `JWT <token>` (and nothing else) on standard
 * output. A token the fleet has cached is used as is, without the password and without any request to
 * the API. Only when none is cached (and not with `--no-issue`) does it ask for the password and issue,
 * through `createTokenProvider` with the same store and quota as the services: under the fleet's lease,
 * within the quota, respecting blocks.
 */
export async function tokenCommand(context: CommandContext): Promise<number> {
  const { io, output, line } = context;
  const settings = resolveSettings(line, io.env);
  const info = line.quiet ? () => {} : (message: string) => output.note(message);
  const header = await withNamespace(context, settings, { mustExist: false }, async (handle) => {
    const [record, storeNow] = await Promise.all([
      handle.store.readToken(handle.ns),
      storeClock(handle, settings, context.now),
    ]);
    const cached = usableToken(record, storeNow);
    if (cached !== null) {
      info(`using the cached token, expires ${formatInstant(cached.expiresAt, storeNow)}`);
      return formatAuthorization('jwt', cached.value);
    }
    const who = `${settings.username} at ${settings.baseUrl}`;
    if (line.noIssue) {
      throw new CliError(
        EXIT_CODES.NO_CACHED_TOKEN,
        `no usable token is cached for ${who}, and --no-issue forbids issuing one`,
        "Run 'connexease-auth token' without --no-issue to issue one (it uses one of the day's issues).",
      );
    }
    await refuseEarly(handle, settings, context.now());
    const lease = await handle.store.readLease(handle.ns);
    if (lease !== null) {
      info(`another process holds the issue lease (fence ${lease.fence}): waiting for its token`);
    }
    const password = await obtainPassword(
      io,
      settings.username,
      'no token is cached, and issuing one needs the password',
    );
    output.addSecret(password);
    return issue(context, handle, settings, password, info);
  });
  output.outSecret(`${header}\n`);
  return EXIT_CODES.OK;
}

/**
 * The store's clock (Redis `TIME`), on which token records' times are written, so that a host whose clock
 * is off still judges a cached token as the fleet does. This host's clock when the store cannot tell
 * (a store that is down fails the token read made alongside, with its own error).
 */
async function storeClock(
  handle: NamespaceHandle,
  settings: Settings,
  localNow: () => number,
): Promise<number> {
  try {
    const { now } = await handle.store.quotaUsage(handle.ns, { windowMs: settings.quota.windowMs });
    return Number.isFinite(now) ? now : localNow();
  } catch {
    return localNow();
  }
}

/** A cached record the services would still serve at `now` (store clock), or `null`. */
function usableToken(record: TokenRecord | null, now: number): TokenRecord | null {
  if (record === null || !isHeaderSafeToken(record.value)) return null;
  return Number.isFinite(record.expiresAt) && now < record.expiresAt ? record : null;
}

/**
 * Fails before asking for the password when issuing cannot succeed anyway: a block that applies to any
 * password (403), or a spent quota. The provider checks both again; this only spares the operator a
 * pointless prompt. A 401 block is left to the provider: only the password tells whether it applies.
 */
async function refuseEarly(handle: NamespaceHandle, settings: Settings, now: number): Promise<void> {
  const { store, ns } = handle;
  const [block, usage] = await Promise.all([
    store.readBlock(ns),
    store.quotaUsage(ns, { windowMs: settings.quota.windowMs }),
  ]);
  if (block !== null && isBlockActive(block, now) && block.fingerprint === undefined) {
    throw new ConnexeaseAuthError(
      'BLOCKED',
      `no token is cached and issuing is blocked for ${settings.username}: ${describeBlock(block, now)}. ` +
        (block.code === 'INVALID_CREDENTIALS'
          ? 'Fix the password'
          : "After Connexease support has reactivated the API user, run 'connexease-auth unblock'"),
      {
        status: block.status,
        blockedCode: block.code,
        ...(block.until === undefined ? {} : { retryAt: block.until }),
      },
    );
  }
  const summary = quotaSummary(usage.reservedAt, usage.now, settings.quota);
  if (summary.retryAt !== null) {
    throw new ConnexeaseAuthError(
      'QUOTA_EXHAUSTED',
      `no token is cached and the issue quota is spent (${summary.used} of ${summary.limit} in the last ` +
        `${formatWindow(settings.quota.windowMs)}); nothing was sent`,
      { retryAt: summary.retryAt },
    );
  }
}

/** Issues through the token provider, exactly as a service would, and returns the header value. */
async function issue(
  context: CommandContext,
  handle: NamespaceHandle,
  settings: Settings,
  password: string,
  info: (message: string) => void,
): Promise<string> {
  const { createJwtIssuer } = await import('@connexease-kit/http-ky');
  const provider = createTokenProvider({
    credentials: { username: settings.username, password },
    baseUrl: settings.baseUrl,
    issuer: createJwtIssuer({ baseUrl: settings.baseUrl }),
    store: handle.store,
    quota: settings.quota,
    refreshBeforeExpiryMs: settings.refreshBeforeExpiryMs,
    onEvent: (event) => reportEvent(event, context.output, info, context.now),
  });
  try {
    return await provider.getAuthorization(
      context.io.signal === undefined ? {} : { signal: context.io.signal },
    );
  } finally {
    await provider.close();
  }
}

function reportEvent(
  event: AuthEvent,
  output: Output,
  info: (message: string) => void,
  now: () => number,
): void {
  switch (event.type) {
    case 'issued':
      info(
        `issued a new token (POST /jwt/, fence ${event.fence}), expires ${formatInstant(event.expiresAt, now())}`,
      );
      break;
    case 'reused-from-store':
      info(
        `another process has just issued a token; using it, expires ${formatInstant(event.expiresAt, now())}`,
      );
      break;
    case 'waited':
      if (event.outcome === 'token') info('waited for another process that was issuing');
      break;
    case 'issue-failed':
      if (event.retryable) info(`POST /jwt/ attempt ${event.attempt} failed (${event.code})`);
      break;
    case 'quota-low':
      info(`the issue quota is running low: ${event.remaining} of ${event.limit} left`);
      break;
    case 'warning':
      output.note(`warning: ${event.message}`);
      break;
    default:
      break;
  }
}
