import type { AuthEvent, AuthEventListener } from '../diagnostics/events.ts';
import { ConnexeaseAuthError } from '../errors.ts';
import { decodeBase64, decodeBase64url, encodeBase64url, fromUtf8, utf8 } from '../token/base64url.ts';
import type {
  BlockRecord,
  Lease,
  QuotaDecision,
  QuotaRequest,
  QuotaRestoreRequest,
  QuotaUsage,
  TokenRecord,
  TokenStore,
  WaitOptions,
} from './contract.ts';

/** Options of {@link createEncryptedTokenStore}. */
export interface EncryptedTokenStoreOptions {
  /**
   * 32 random bytes: a `Uint8Array`, a base64/base64url string (`openssl rand -base64 32`) or 64 hex
   * characters (`openssl rand -hex 32`).
   */
  key: string | Uint8Array;
  /** Receives `encryption-mismatch` events when a stored value cannot be decrypted. */
  onEvent?: AuthEventListener;
}

/** Envelope version label; also bound into the additional data, so a future format cannot be confused with this one. */
const VERSION = 'cxk1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;
const KEY_HINT =
  'use 32 random bytes: a Uint8Array(32), a base64 string from `openssl rand -base64 32`, or 64 hex characters from `openssl rand -hex 32`';

type MismatchReason = 'plaintext' | 'wrong-key' | 'corrupt';
type Decrypted = { ok: true; value: string } | { ok: false; reason: MismatchReason };

/**
 * Wraps any `TokenStore` so token values are encrypted at rest with AES-256-GCM (Web Crypto). Only the
 * token value is encrypted; the record's other fields, leases, quota and blocks pass through unchanged.
 *
 * A stored value is `cxk1.<key id>.<iv>.<ciphertext>` (base64url, header-safe). The key id is a short
 * hash of the key, so a value written with another key is reported as `wrong-key` rather than `corrupt`.
 * The namespace is bound in as additional data: a value copied to another namespace does not decrypt.
 *
 * Reading a plaintext value, a value under another key, or a damaged envelope is a cache miss (`null`)
 * plus an `encryption-mismatch` event, never a crash. `discardToken(ns, value)` takes the plaintext and
 * keeps compare-and-delete: it deletes only if the stored record decrypts to `value`, by passing the
 * stored ciphertext to the inner store.
 *
 * @throws ConnexeaseAuthError `CONFIG_INVALID` (synchronously) for a key that is not 32 bytes.
 *
 * @example
 * const store = createEncryptedTokenStore(createRedisTokenStore({ redis }), { key: process.env.TOKEN_KEY! });
 */
export function createEncryptedTokenStore(
  store: TokenStore,
  options: EncryptedTokenStoreOptions,
): TokenStore {
  if (typeof store !== 'object' || store === null) {
    throw new ConnexeaseAuthError('CONFIG_INVALID', 'createEncryptedTokenStore needs a TokenStore to wrap');
  }
  const rawKey = parseKey(options?.key);
  return new EncryptedTokenStore(store, rawKey, options.onEvent);
}

interface KeyMaterial {
  cryptoKey: CryptoKey;
  keyId: string;
}

class EncryptedTokenStore implements TokenStore {
  readonly #inner: TokenStore;
  readonly #keyMaterial: Promise<KeyMaterial>;
  readonly #onEvent: AuthEventListener | undefined;

  constructor(inner: TokenStore, rawKey: Uint8Array<ArrayBuffer>, onEvent: AuthEventListener | undefined) {
    this.#inner = inner;
    this.#onEvent = onEvent;
    this.#keyMaterial = importKeyMaterial(rawKey);
    // An import failure is reported by the first operation; do not leave an unhandled rejection meanwhile.
    this.#keyMaterial.catch(() => {});
  }

  async readToken(ns: string): Promise<TokenRecord | null> {
    return this.#open(ns, await this.#inner.readToken(ns));
  }

  async writeToken(ns: string, lease: Lease, record: TokenRecord): Promise<boolean> {
    return this.#inner.writeToken(ns, lease, { ...record, value: await this.#encrypt(ns, record.value) });
  }

  async discardToken(ns: string, value: string): Promise<boolean> {
    const current = await this.#inner.readToken(ns);
    if (current === null) return false;
    // A plaintext value written before encryption was switched on can still be discarded as itself.
    if (current.value === value && !isEnvelope(current.value))
      return this.#inner.discardToken(ns, current.value);
    const result = await this.#decrypt(ns, current.value);
    if (!result.ok || result.value !== value) return false;
    return this.#inner.discardToken(ns, current.value);
  }

  acquireLease(ns: string, options: { ttlMs: number }): Promise<Lease | null> {
    return this.#inner.acquireLease(ns, options);
  }

  extendLease(ns: string, lease: Lease, ttlMs: number): Promise<Lease | null> {
    return this.#inner.extendLease(ns, lease, ttlMs);
  }

  releaseLease(ns: string, lease: Lease): Promise<boolean> {
    return this.#inner.releaseLease(ns, lease);
  }

  readLease(ns: string): Promise<Lease | null> {
    return this.#inner.readLease(ns);
  }

  reserveIssue(ns: string, request: QuotaRequest): Promise<QuotaDecision> {
    return this.#inner.reserveIssue(ns, request);
  }

  quotaUsage(ns: string, options: { windowMs: number }): Promise<QuotaUsage> {
    return this.#inner.quotaUsage(ns, options);
  }

  restoreQuota(ns: string, request: QuotaRestoreRequest): Promise<QuotaUsage> {
    return this.#inner.restoreQuota(ns, request);
  }

  clearQuotaLoss(ns: string): Promise<boolean> {
    return this.#inner.clearQuotaLoss(ns);
  }

  readBlock(ns: string): Promise<BlockRecord | null> {
    return this.#inner.readBlock(ns);
  }

  writeBlock(ns: string, block: BlockRecord, ttlMs?: number): Promise<void> {
    return this.#inner.writeBlock(ns, block, ttlMs);
  }

  clearBlock(ns: string): Promise<void> {
    return this.#inner.clearBlock(ns);
  }

  async waitForToken(ns: string, options: WaitOptions): Promise<TokenRecord | null> {
    const deadline = Date.now() + options.timeoutMs;
    const { known } = options;
    if (known === null) return this.#waitForReadable(ns, options, null, false, deadline);
    // The inner store compares ciphertexts, so translate what the caller knows into what is stored.
    const current = await this.#inner.readToken(ns);
    if (current === null) return null;
    const opened = await this.#open(ns, current);
    if (opened === null) return null;
    if (opened.value !== known.value || opened.fence !== known.fence) return opened;
    return this.#waitForReadable(ns, options, current, true, deadline);
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #waitForReadable(
    ns: string,
    options: WaitOptions,
    innerKnown: TokenRecord | null,
    callerKnewToken: boolean,
    deadline: number,
  ): Promise<TokenRecord | null> {
    for (;;) {
      const timeoutMs = Math.max(0, deadline - Date.now());
      const next = await this.#inner.waitForToken(ns, { ...options, known: innerKnown, timeoutMs });
      if (next === null) return null;
      const opened = await this.#open(ns, next);
      if (opened !== null) return opened;
      // Unreadable: for a caller who knew a token, that token is gone (a change); for one who knew
      // nothing, nothing readable has arrived yet, so keep waiting for the stored value to change.
      if (callerKnewToken || timeoutMs === 0 || Date.now() >= deadline) return null;
      innerKnown = next;
    }
  }

  /** The stored record with its value decrypted, or `null` (with an event) when it cannot be. */
  async #open(ns: string, record: TokenRecord | null): Promise<TokenRecord | null> {
    if (record === null) return null;
    const result = await this.#decrypt(ns, record.value);
    if (!result.ok) {
      this.#emit(ns, result.reason);
      return null;
    }
    return { ...record, value: result.value };
  }

  async #encrypt(ns: string, value: string): Promise<string> {
    if (typeof value !== 'string') {
      throw new ConnexeaseAuthError('INVALID_RESPONSE', 'a token record value must be a string');
    }
    const { cryptoKey, keyId } = await this.#keyMaterial;
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const ciphertext = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: additionalData(ns) },
      cryptoKey,
      utf8(value),
    );
    return `${VERSION}.${keyId}.${encodeBase64url(iv)}.${encodeBase64url(new Uint8Array(ciphertext))}`;
  }

  async #decrypt(ns: string, stored: string): Promise<Decrypted> {
    const envelope = splitEnvelope(stored);
    if (!envelope.ok) return envelope;
    const { cryptoKey, keyId } = await this.#keyMaterial;
    if (envelope.keyId !== keyId) return { ok: false, reason: 'wrong-key' };
    const iv = decodeBase64url(envelope.iv);
    const ciphertext = decodeBase64url(envelope.ciphertext);
    if (iv === null || iv.length !== IV_BYTES || ciphertext === null || ciphertext.length < TAG_BYTES) {
      return { ok: false, reason: 'corrupt' };
    }
    return decryptValue(cryptoKey, ns, iv, ciphertext);
  }

  #emit(ns: string, reason: MismatchReason): void {
    if (this.#onEvent === undefined) return;
    const event: AuthEvent = { type: 'encryption-mismatch', ns, reason };
    try {
      this.#onEvent(event);
    } catch {
      // A listener's failure must not turn a cache miss into a crash.
    }
  }
}

async function importKeyMaterial(rawKey: Uint8Array<ArrayBuffer>): Promise<KeyMaterial> {
  const [cryptoKey, keyId] = await Promise.all([
    crypto.subtle.importKey('raw', rawKey, 'AES-GCM', false, ['encrypt', 'decrypt']),
    crypto.subtle.digest('SHA-256', concat(utf8('cxk-key-id-v1\0'), rawKey)),
  ]);
  return { cryptoKey, keyId: encodeBase64url(new Uint8Array(keyId).subarray(0, 6)) };
}

type EnvelopeParts =
  | { ok: true; keyId: string; iv: string; ciphertext: string }
  | { ok: false; reason: 'plaintext' | 'corrupt' };

function splitEnvelope(stored: unknown): EnvelopeParts {
  if (!isEnvelope(stored)) return { ok: false, reason: 'plaintext' };
  const parts = stored.split('.');
  if (parts.length !== 4) return { ok: false, reason: 'corrupt' };
  const [, keyId, iv, ciphertext] = parts as [string, string, string, string];
  return { ok: true, keyId, iv, ciphertext };
}

async function decryptValue(
  cryptoKey: CryptoKey,
  ns: string,
  iv: Uint8Array,
  ciphertext: Uint8Array,
): Promise<Decrypted> {
  let plaintext: ArrayBuffer;
  try {
    plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: new Uint8Array(iv), additionalData: additionalData(ns) },
      cryptoKey,
      new Uint8Array(ciphertext),
    );
  } catch {
    // Same key id but the tag does not verify: tampered, truncated, or copied from another namespace.
    return { ok: false, reason: 'corrupt' };
  }
  const value = fromUtf8(new Uint8Array(plaintext));
  return value === null ? { ok: false, reason: 'corrupt' } : { ok: true, value };
}

function isEnvelope(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(`${VERSION}.`);
}

function additionalData(ns: string): Uint8Array<ArrayBuffer> {
  return utf8(`${VERSION}\0${ns}`);
}

function parseKey(key: unknown): Uint8Array<ArrayBuffer> {
  if (key instanceof Uint8Array) {
    if (key.length !== KEY_BYTES) {
      throw new ConnexeaseAuthError(
        'CONFIG_INVALID',
        `the encryption key has ${key.length} bytes; ${KEY_HINT}`,
      );
    }
    return new Uint8Array(key);
  }
  if (typeof key !== 'string' || key.trim() === '') {
    throw new ConnexeaseAuthError('CONFIG_INVALID', `an encryption key is required; ${KEY_HINT}`);
  }
  const text = key.trim();
  let bytes: Uint8Array | null = null;
  if (/^[0-9a-f]{64}$/i.test(text)) {
    bytes = new Uint8Array(32);
    for (let i = 0; i < 32; i++) bytes[i] = Number.parseInt(text.slice(i * 2, i * 2 + 2), 16);
  } else {
    bytes = decodeBase64(text) ?? decodeBase64url(text);
  }
  if (bytes === null) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `the encryption key is neither base64 nor hex; ${KEY_HINT}`,
    );
  }
  if (bytes.length !== KEY_BYTES) {
    throw new ConnexeaseAuthError(
      'CONFIG_INVALID',
      `the encryption key decodes to ${bytes.length} bytes, not 32; ${KEY_HINT}`,
    );
  }
  return new Uint8Array(bytes);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> {
  const result = new Uint8Array(a.length + b.length);
  result.set(a, 0);
  result.set(b, a.length);
  return result;
}
