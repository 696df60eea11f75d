import type { Sleeper } from './sleeper.ts';
import type { MockState } from './state.ts';

/** What every route handler gets besides the request. */
export interface RouteContext {
  readonly state: MockState;
  readonly sleeper: Sleeper;
  /** One line per response; never passwords, tokens or `Authorization` values. */
  readonly log: (line: string) => void;
}
