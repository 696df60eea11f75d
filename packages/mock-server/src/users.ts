import { stableUuid } from './stable-uuid.ts';
import type { MockUserInput, UserStatus } from './types.ts';
import { nonEmptyString, positiveInteger, userStatus } from './validate.ts';

/** Thrown by controls that name a user the mock does not know. */
export class UnknownUserError extends Error {
  override readonly name = 'UnknownUserError';
  readonly username: string;

  constructor(username: string) {
    super(`Unknown mock user ${JSON.stringify(username)}`);
    this.username = username;
  }
}

/** A user as the mock stores it. Internal: it holds the password. */
export interface UserRecord {
  readonly username: string;
  password: string;
  status: UserStatus;
  userId: number;
  email: string;
  accountUuid: string;
}

/** The API users, keyed by username (case-sensitive, like Django's). */
export class UserRegistry {
  readonly #users = new Map<string, UserRecord>();
  #nextUserId = 1;

  /** Adds a user or updates the given fields of an existing one. */
  upsert(input: MockUserInput): UserRecord {
    const username = nonEmptyString(input?.username, 'user.username');
    const password = nonEmptyString(input.password, 'user.password');
    const status = input.status === undefined ? undefined : userStatus(input.status, 'user.status');
    const userId = input.userId === undefined ? undefined : positiveInteger(input.userId, 'user.userId');
    const email = input.email === undefined ? undefined : nonEmptyString(input.email, 'user.email');
    const accountUuid =
      input.accountUuid === undefined ? undefined : nonEmptyString(input.accountUuid, 'user.accountUuid');

    const existing = this.#users.get(username);
    if (existing) {
      existing.password = password;
      if (status) existing.status = status;
      if (userId !== undefined) existing.userId = userId;
      if (email) existing.email = email;
      if (accountUuid) existing.accountUuid = accountUuid;
      return existing;
    }
    const record: UserRecord = {
      username,
      password,
      status: status ?? 'active',
      userId: userId ?? this.#nextUserId,
      email: email ?? (username.includes('@') ? username : `${username}@example.com`),
      accountUuid: accountUuid ?? stableUuid(username),
    };
    this.#nextUserId = Math.max(this.#nextUserId, record.userId) + 1;
    this.#users.set(username, record);
    return record;
  }

  find(username: string): UserRecord | undefined {
    return this.#users.get(username);
  }

  /** Like `find`, but throws `UnknownUserError`. */
  get(username: string): UserRecord {
    const user = this.#users.get(username);
    if (!user) throw new UnknownUserError(username);
    return user;
  }

  list(): UserRecord[] {
    return [...this.#users.values()];
  }

  clear(): void {
    this.#users.clear();
    this.#nextUserId = 1;
  }
}
