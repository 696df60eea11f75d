/**
 * The waits a store has pending, so that `close()` can reject them: give `onClose` to each
 * `waitForRecordChange` and call `rejectAll` from `close()`.
 */
export class PendingWaits {
  readonly #rejects = new Set<(error: unknown) => void>();

  /** A `RecordChangeSource.onClose`: registers a wait's `reject` and returns its deregistration. */
  readonly onClose = (reject: (error: unknown) => void): (() => void) => {
    this.#rejects.add(reject);
    return () => this.#rejects.delete(reject);
  };

  /** Rejects every pending wait with `error`. */
  rejectAll(error: unknown): void {
    const rejects = [...this.#rejects];
    this.#rejects.clear();
    for (const reject of rejects) reject(error);
  }
}
