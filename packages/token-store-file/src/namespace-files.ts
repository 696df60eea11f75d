import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { assertNamespace } from '@connexease-kit/auth-core/store';

/** The paths one namespace uses inside the store directory. */
export interface NamespaceFiles {
  /** File-name-safe form of the namespace; every file of the namespace starts with it. */
  base: string;
  /** `<base>.json`: the state (token, lease, fence, reservations, block). */
  stateName: string;
  statePath: string;
  /** `<base>.lock`: the inter-process lock. */
  lockPath: string;
}

const MAX_BASE_LENGTH = 120;

/**
 * Maps a namespace to file names. Lowercase letters, digits, `-` and `_` are kept; every other
 * byte becomes `%XX`, so names stay distinct on case-insensitive file systems and can never contain
 * a path separator or `..`. Very long results are replaced by `~` + SHA-256 (hex) of the namespace.
 */
export function namespaceFiles(directory: string, ns: string): NamespaceFiles {
  const base = encodeNamespace(ns);
  const stateName = `${base}.json`;
  return {
    base,
    stateName,
    statePath: join(directory, stateName),
    lockPath: join(directory, `${base}.lock`),
  };
}

/** The file-name-safe form of `ns` (see {@link namespaceFiles}). */
export function encodeNamespace(ns: string): string {
  assertNamespace(ns);
  let encoded = '';
  for (const byte of Buffer.from(ns, 'utf8')) {
    const char = String.fromCharCode(byte);
    encoded += /[a-z0-9_-]/.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (encoded.length <= MAX_BASE_LENGTH) return encoded;
  return `~${createHash('sha256').update(ns, 'utf8').digest('hex')}`;
}
