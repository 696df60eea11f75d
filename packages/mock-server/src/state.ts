import { CannedResponses } from './canned.ts';
import type { QueuedFault } from './faults.ts';
import type { ResolvedOptions } from './options.ts';
import { IssueQuota } from './quota.ts';
import { StatsRecorder } from './stats.ts';
import { TokenAuthority } from './tokens.ts';
import type { MockConfig } from './types.ts';
import { UserRegistry } from './users.ts';

/** Everything a running mock knows; the routes read and change it, the control drives it. */
export class MockState {
  readonly users: UserRegistry = new UserRegistry();
  readonly quota: IssueQuota = new IssueQuota();
  readonly tokens: TokenAuthority;
  readonly accessTokens: Set<string> = new Set();
  readonly faults: QueuedFault[] = [];
  readonly canned: CannedResponses = new CannedResponses();
  readonly stats: StatsRecorder = new StatsRecorder();
  config: MockConfig;
  readonly #initial: ResolvedOptions;
  #clockOffsetMs = 0;

  constructor(initial: ResolvedOptions) {
    this.#initial = initial;
    this.tokens = new TokenAuthority(initial.secret);
    this.config = structuredClone(initial.config);
    this.reset();
  }

  /** The server clock (epoch ms): the configured clock plus every `advanceTime`. */
  now(): number {
    return this.#initial.clock() + this.#clockOffsetMs;
  }

  advanceTime(ms: number): void {
    this.#clockOffsetMs += ms;
  }

  /** Back to the state the options describe. Tokens signed before stay valid (same key); revocations are forgotten. */
  reset(): void {
    this.users.clear();
    for (const user of this.#initial.users) this.users.upsert(user);
    this.quota.reset();
    this.tokens.clear();
    this.accessTokens.clear();
    for (const token of this.#initial.accessTokens) this.accessTokens.add(token);
    this.faults.length = 0;
    this.canned.clear();
    this.config = structuredClone(this.#initial.config);
    this.#clockOffsetMs = 0;
    this.stats.reset();
  }
}
