import { normalizeFault, type QueuedFault } from './faults.ts';
import { applyConfigUpdate } from './options.ts';
import type { MockState } from './state.ts';
import type {
  JwtFault,
  MockControl,
  MockStats,
  MockUserInfo,
  RevokeTarget,
  UserStatus,
  WaitTarget,
} from './types.ts';
import type { UserRecord } from './users.ts';
import { headerToken, nonEmptyString, nonNegativeNumber, positiveInteger, userStatus } from './validate.ts';

/** Something that ends pending `waitFor` calls when the server closes. */
export interface ControlLifecycle {
  /** Registers a callback run on close; returns the unregister function. */
  onClose(callback: () => void): () => void;
}

/** The programmatic controls over a mock's state (the admin routes call these same functions). */
export function createControl(state: MockState, lifecycle: ControlLifecycle): MockControl {
  return {
    ...userControls(state),
    ...configControls(state),
    ...tokenControls(state),
    ...faultControls(state),
    ...clockControls(state),
    ...statsControls(state, lifecycle),
  };
}

function userControls(
  state: MockState,
): Pick<MockControl, 'upsertUser' | 'setPassword' | 'setStatus' | 'getUser' | 'listUsers' | 'resetQuota'> {
  const info = (user: UserRecord): MockUserInfo => ({
    username: user.username,
    status: user.status,
    userId: user.userId,
    email: user.email,
    accountUuid: user.accountUuid,
    quotaUsed: state.quota.used(user.username, state.now(), state.config.quota.windowMs),
  });
  return {
    upsertUser: (user) => info(state.users.upsert(user)),
    setPassword(username, password) {
      state.users.get(username).password = nonEmptyString(password, 'password');
    },
    setStatus(username, status: UserStatus) {
      const user = state.users.get(username);
      const next = userStatus(status, 'status');
      if (user.status === 'banned' && next === 'active') state.quota.reset(username);
      user.status = next;
    },
    getUser(username) {
      const user = state.users.find(username);
      return user && info(user);
    },
    listUsers: () => state.users.list().map(info),
    resetQuota(username) {
      if (username !== undefined) state.users.get(username);
      state.quota.reset(username);
    },
  };
}

function configControls(state: MockState): Pick<MockControl, 'config' | 'configure'> {
  return {
    config: () => structuredClone(state.config),
    configure(update) {
      state.config = applyConfigUpdate(state.config, update);
      return structuredClone(state.config);
    },
  };
}

function tokenControls(state: MockState): Pick<MockControl, 'addAccessToken' | 'revoke' | 'mintToken'> {
  return {
    addAccessToken(token) {
      state.accessTokens.add(headerToken(token, 'accessToken'));
    },
    revoke: (target) => revoke(state, target),
    async mintToken(username, options = {}) {
      const user = state.users.get(username);
      const lifetime =
        options.lifetimeSeconds === undefined
          ? state.config.tokenLifetimeSeconds
          : positiveInteger(options.lifetimeSeconds, 'lifetimeSeconds');
      const issuedAt =
        options.issuedAt === undefined
          ? Math.floor(state.now() / 1000)
          : positiveInteger(options.issuedAt, 'issuedAt');
      return state.tokens.sign(user, issuedAt, lifetime);
    },
  };
}

function faultControls(
  state: MockState,
): Pick<MockControl, 'queueFaults' | 'pendingFaults' | 'clearFaults' | 'respond' | 'clearResponses'> {
  return {
    queueFaults(...faults: JwtFault[]) {
      const normalized = faults.map(normalizeFault);
      state.faults.push(...normalized);
    },
    pendingFaults: () => state.faults.map(toPublicFault),
    clearFaults() {
      state.faults.length = 0;
    },
    respond: (path, response) => state.canned.add(path, response),
    clearResponses: (path) => state.canned.clear(path),
  };
}

function clockControls(state: MockState): Pick<MockControl, 'now' | 'advanceTime'> {
  return {
    now: () => state.now(),
    advanceTime(ms) {
      state.advanceTime(nonNegativeNumber(ms, 'ms'));
    },
  };
}

function statsControls(
  state: MockState,
  lifecycle: ControlLifecycle,
): Pick<MockControl, 'stats' | 'resetStats' | 'reset' | 'waitFor'> {
  return {
    stats: () => state.stats.snapshot(),
    resetStats: () => state.stats.reset(),
    reset: () => state.reset(),
    waitFor: (condition, timeoutMs = 5000) => waitFor(state, lifecycle, condition, timeoutMs),
  };
}

function revoke(state: MockState, target: RevokeTarget): number {
  if (typeof target !== 'object' || target === null) throw new TypeError('revoke target must be an object');
  if ('token' in target) {
    const token = nonEmptyString(target.token, 'token');
    if (state.accessTokens.delete(token)) return 1;
    return state.tokens.revokeToken(token) ? 1 : 0;
  }
  if ('username' in target) {
    state.users.get(nonEmptyString(target.username, 'username'));
    return state.tokens.revokeIssued(target.username);
  }
  if ('all' in target && target.all === true) return state.tokens.revokeIssued();
  throw new TypeError('revoke target must be { token }, { username } or { all: true }');
}

function toPublicFault(fault: QueuedFault): JwtFault {
  if (fault.type === 'slow') return { type: 'slow', delayMs: fault.delayMs };
  return fault.issue ? { type: fault.type, issue: true } : fault.type;
}

function waitFor(
  state: MockState,
  lifecycle: ControlLifecycle,
  condition: WaitTarget | ((stats: MockStats) => boolean),
  timeoutMs: number,
): Promise<MockStats> {
  const holds = typeof condition === 'function' ? condition : targetPredicate(condition);
  nonNegativeNumber(timeoutMs, 'timeoutMs');
  return new Promise((resolve, reject) => {
    const check = (): void => {
      const stats = state.stats.snapshot();
      let done: boolean;
      try {
        done = holds(stats);
      } catch (error) {
        cleanup();
        reject(error);
        return;
      }
      if (done) {
        cleanup();
        resolve(stats);
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`waitFor: condition not met within ${timeoutMs} ms`));
    }, timeoutMs);
    const unsubscribe = state.stats.onChange(check);
    const unregisterClose = lifecycle.onClose(() => {
      cleanup();
      reject(new Error('waitFor: the mock server closed'));
    });
    const cleanup = (): void => {
      clearTimeout(timer);
      unsubscribe();
      unregisterClose();
    };
    check();
  });
}

function targetPredicate(target: WaitTarget): (stats: MockStats) => boolean {
  if (typeof target !== 'object' || target === null)
    throw new TypeError('waitFor needs a predicate or a target');
  const wanted = Object.entries(target) as [keyof WaitTarget, unknown][];
  for (const [key, value] of wanted) {
    if (!['jwtAttempts', 'issues', 'apiCalls', 'bans'].includes(key)) {
      throw new TypeError(`waitFor target has an unknown field ${JSON.stringify(key)}`);
    }
    nonNegativeNumber(value, `waitFor.${key}`);
  }
  return (stats) => wanted.every(([key, value]) => stats[key].total >= (value as number));
}
