import { isConnexeaseAuthError } from '../errors.ts';
import { backgroundRetryDelay } from './backoff.ts';
import type { HeldToken } from './held-token.ts';
import type { JwtContext } from './jwt-context.ts';
import { refreshToken } from './refresh.ts';
import { SingleFlight } from './single-flight.ts';
import { watchStore } from './store-watch.ts';

/** Pauses between background refresh tries after failures (the token still serves meanwhile). */
const BACKGROUND_RETRY = { baseDelayMs: 1000, maxDelayMs: 5 * 60_000 };

/**
 * Decides when refreshes run: one at a time per process (single flight, guarantee 2), in the
 * foreground for a caller without a token, in the background for a due one, with a growing pause
 * after background failures; and, once a token is held, the periodic store watch (guarantee 10).
 */
export class RefreshScheduler {
  readonly #ctx: JwtContext;
  readonly #closedError: () => Error;
  readonly #refreshes = new SingleFlight<'refresh', HeldToken>();
  #backgroundFailures = 0;
  #backgroundNotBefore = Number.NEGATIVE_INFINITY;
  #watching = false;
  #closed = false;

  constructor(ctx: JwtContext, closedError: () => Error) {
    this.#ctx = ctx;
    this.#closedError = closedError;
  }

  /** Joins the running refresh or starts one (foreground, or background when `isBackground`). */
  start(isBackground: boolean): Promise<HeldToken> {
    if (this.#closed) return Promise.reject(this.#closedError());
    const running = this.#refreshes.get('refresh');
    if (running !== undefined) return running;
    const flight = this.#refreshes.run('refresh', () => this.#refresh(isBackground));
    // A foreground refresh may adopt a stored token that is already due: refresh that one in the background.
    flight.then(
      (token) => this.#afterRefresh(token),
      () => {},
    );
    return flight;
  }

  /** Background refresh of a due token, unless one is running or a failure asked to wait. */
  startBackground(now: number): void {
    if (this.#closed || now < this.#backgroundNotBefore || this.#refreshes.get('refresh') !== undefined)
      return;
    void this.start(true).catch(() => {});
  }

  /** Forgets the background pause (after a success or `unblock()`). */
  resetBackoff(): void {
    this.#backgroundFailures = 0;
    this.#backgroundNotBefore = Number.NEGATIVE_INFINITY;
  }

  /** Starts nothing more; resolves the refreshes still running. */
  close(): Promise<HeldToken>[] {
    this.#closed = true;
    return this.#refreshes.all();
  }

  async #refresh(isBackground: boolean): Promise<HeldToken> {
    try {
      const token = await refreshToken(this.#ctx, isBackground);
      this.resetBackoff();
      return token;
    } catch (error) {
      if (isBackground) this.#deferBackground(error);
      throw error;
    }
  }

  #afterRefresh(token: HeldToken): void {
    this.#startWatch();
    const now = this.#ctx.options.clock.now();
    if (!(now < token.refreshAt) && now < token.expiresAt) this.startBackground(now);
  }

  /** Once this replica holds a token: check the store periodically, so it notices a store that forgot (guarantee 10). */
  #startWatch(): void {
    if (this.#watching || this.#closed) return;
    this.#watching = true;
    void this.#ctx.namespace().then(
      (ns) => watchStore(this.#ctx, ns),
      () => {
        this.#watching = false;
      },
    );
  }

  /** After a failed background refresh: wait before the next try (never a tight loop). */
  #deferBackground(error: unknown): void {
    const { clock, random } = this.#ctx.options;
    this.#backgroundFailures += 1;
    const pause = backgroundRetryDelay(this.#backgroundFailures, BACKGROUND_RETRY, random);
    const retryAt = isConnexeaseAuthError(error) ? error.retryAt : undefined;
    this.#backgroundNotBefore = Math.max(clock.now() + pause, retryAt ?? Number.NEGATIVE_INFINITY);
  }
}
