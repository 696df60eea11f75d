import type { PasswordCredentials } from '../credentials.ts';
import { credentialFingerprint, namespaceFor } from '../secrets.ts';

/**
 * The provider's store namespace and credential fingerprint, each derived once (both hash the
 * credentials). A failed derivation is forgotten, so the next call tries again.
 */
export class NamespaceMemo {
  readonly #baseUrl: string;
  readonly #credentials: PasswordCredentials;
  #known: string | null = null;
  #namespace: Promise<string> | null = null;
  #fingerprint: Promise<string> | null = null;

  constructor(baseUrl: string, credentials: PasswordCredentials) {
    this.#baseUrl = baseUrl;
    this.#credentials = credentials;
  }

  /** The namespace once computed, for display and traces. */
  get known(): string | null {
    return this.#known;
  }

  namespace(): Promise<string> {
    this.#namespace ??= namespaceFor({
      baseUrl: this.#baseUrl,
      username: this.#credentials.username,
      mode: 'jwt',
    }).then(
      (ns) => {
        this.#known = ns;
        return ns;
      },
      (error: unknown) => {
        this.#namespace = null;
        throw error;
      },
    );
    return this.#namespace;
  }

  fingerprint(): Promise<string> {
    this.#fingerprint ??= this.namespace()
      .then((ns) => credentialFingerprint(this.#credentials, ns))
      .catch((error: unknown) => {
        this.#fingerprint = null;
        throw error;
      });
    return this.#fingerprint;
  }
}
