import type { AuthMode, Credentials, PasswordCredentials } from './credentials.ts';
import { ConnexeaseAuthError } from './errors.ts';
import { encodeBase64url, utf8 } from './token/base64url.ts';
import { normalizeBaseUrl } from './url.ts';

/** What secrets are replaced with wherever they would be displayed. */
export const REDACTED: string = '[redacted]';

const SECRET_FIELDS = ['password', 'accessToken'] as const;
const NODE_INSPECT = Symbol.for('nodejs.util.inspect.custom');
const DENO_INSPECT = Symbol.for('Deno.customInspect');

/** Iterations of PBKDF2-SHA-256 in {@link credentialFingerprint}. */
export const FINGERPRINT_ITERATIONS: number = 200_000;

/**
 * Replaces a secret for display. The answer never depends on the secret (not even its length).
 *
 * @example
 * `password: ${redact(password)}`; // 'password: [redacted]'
 */
export function redact(_value: string): string {
  return REDACTED;
}

/**
 * Returns a frozen copy of `credentials` whose secrets (`password`, `accessToken`) are still readable
 * by property access (`credentials.password`) but do not show up when the object is displayed:
 * `util.inspect`/`console.log` (Node and Deno), `JSON.stringify`, `String()` and template literals all
 * print `[redacted]` in their place.
 *
 * Trade-off: the secret fields are non-enumerable, so `Object.keys`, `{ ...credentials }`,
 * `structuredClone` and `Object.assign` leave them out. That is the point (a spread into a log line or
 * an error context does not carry the password), but code that must copy credentials has to read the
 * fields by name. Other fields are copied; unknown extra fields are dropped.
 *
 * @example
 * const credentials = protectCredentials({ username: 'john', password: 'hunter2' });
 * credentials.password; // 'hunter2'
 * JSON.stringify(credentials); // '{"username":"john","password":"[redacted]"}'
 */
export function protectCredentials<T extends Credentials>(credentials: T): T {
  const source = credentials as Partial<Record<'username' | 'password' | 'accessToken', unknown>>;
  const copy: Record<string, unknown> = {};
  const display: Record<string, unknown> = {};
  if ('username' in source) {
    copy.username = source.username;
    display.username = source.username;
  }
  for (const field of SECRET_FIELDS) {
    if (!(field in source)) continue;
    Object.defineProperty(copy, field, { value: source[field], enumerable: false });
    display[field] = REDACTED;
  }
  const kind = 'accessToken' in source ? 'AccessTokenCredentials' : 'PasswordCredentials';
  const methods: PropertyDescriptorMap = {
    toJSON: { value: () => ({ ...display }) },
    toString: { value: () => `[${kind}]` },
    [NODE_INSPECT]: { value: () => ({ ...display }) },
    [DENO_INSPECT]: { value: () => JSON.stringify(display) },
  };
  Object.defineProperties(copy, methods);
  return Object.freeze(copy) as T;
}

/**
 * The store namespace for one API user on one API in one auth mode: the SHA-256 (Web Crypto) of a
 * versioned JSON encoding of the normalised base URL, the mode and the username, as 32 lower-case hex
 * characters (128 bits). The encoding is unambiguous, so different base URLs, users or modes never share
 * a namespace, and the store never sees the username itself. The username is used exactly as given
 * (after Unicode NFC): the API decides whether case matters, so we do not guess.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` for an invalid base URL, or a `'jwt'` namespace without a username.
 */
export async function namespaceFor(input: {
  baseUrl: string;
  username?: string;
  mode: AuthMode;
}): Promise<string> {
  const baseUrl = normalizeBaseUrl(input.baseUrl);
  if (input.mode !== 'jwt' && input.mode !== 'bearer') {
    throw new ConnexeaseAuthError('CONFIG_INVALID', "auth mode must be 'jwt' or 'bearer'");
  }
  const username = input.username;
  if (username !== undefined && typeof username !== 'string') {
    throw new ConnexeaseAuthError('CONFIG_INVALID', 'credentials.username must be a string');
  }
  if (input.mode === 'jwt' && (username === undefined || username.trim() === '')) {
    throw new ConnexeaseAuthError('CONFIG_INVALID', 'credentials.username is required for a JWT namespace');
  }
  const encoded = JSON.stringify(['cxk-ns-v1', baseUrl, input.mode, username?.normalize('NFC') ?? null]);
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', utf8(encoded)));
  return Array.from(digest.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * A keyed, deliberately slow fingerprint of a password, to remember fleet-wide that it was rejected
 * without storing it: PBKDF2-SHA-256 with {@link FINGERPRINT_ITERATIONS} iterations, salted with a
 * version label, the namespace and the username, as base64url (43 characters). Stable across processes
 * and machines; different for a different password, user or namespace.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` for a missing password or namespace.
 */
export async function credentialFingerprint(credentials: PasswordCredentials, ns: string): Promise<string> {
  const password = credentials?.password;
  if (typeof password !== 'string' || password === '') {
    throw new ConnexeaseAuthError('CONFIG_INVALID', 'credentials.password is required');
  }
  if (typeof ns !== 'string' || ns === '') {
    throw new ConnexeaseAuthError('CONFIG_INVALID', 'a namespace is required for a credential fingerprint');
  }
  const salt = utf8(JSON.stringify(['cxk-fp-v1', ns, credentials.username ?? null]));
  const key = await crypto.subtle.importKey('raw', utf8(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: FINGERPRINT_ITERATIONS },
    key,
    256,
  );
  return encodeBase64url(new Uint8Array(bits));
}
