import type { InactiveBody, UserStatus } from './types.ts';

const USER_STATUSES: readonly UserStatus[] = ['active', 'inactive', 'banned'];
const INACTIVE_BODIES: readonly InactiveBody[] = ['empty', 'json'];

/** Throws a `TypeError` naming `field` unless `value` is a positive integer. */
export function positiveInteger(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new TypeError(`${field} must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

/** Throws a `TypeError` naming `field` unless `value` is a finite number ≥ 0. */
export function nonNegativeNumber(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`${field} must be a finite number >= 0, got ${describe(value)}`);
  }
  return value;
}

/** Throws a `TypeError` naming `field` unless `value` is a non-empty string. */
export function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new TypeError(`${field} must be a non-empty string`);
  }
  return value;
}

/** A token that can travel in an `Authorization` header: non-empty, no whitespace or control characters. */
export function headerToken(value: unknown, field: string): string {
  const token = nonEmptyString(value, field);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\s\u0000-\u001f\u007f]/.test(token)) {
    throw new TypeError(`${field} must not contain whitespace or control characters`);
  }
  return token;
}

export function userStatus(value: unknown, field: string): UserStatus {
  if (!USER_STATUSES.includes(value as UserStatus)) {
    throw new TypeError(`${field} must be one of ${USER_STATUSES.join(', ')}, got ${describeChoice(value)}`);
  }
  return value as UserStatus;
}

export function inactiveBody(value: unknown, field: string): InactiveBody {
  if (!INACTIVE_BODIES.includes(value as InactiveBody)) {
    throw new TypeError(
      `${field} must be one of ${INACTIVE_BODIES.join(', ')}, got ${describeChoice(value)}`,
    );
  }
  return value as InactiveBody;
}

/** A short description of a bad value for error messages; never echoes strings (they may be secrets). */
function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  return `a ${typeof value}`;
}

/** Enum values are not secrets, so a short prefix of a wrong one helps the reader. */
function describeChoice(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value.slice(0, 20)) : describe(value);
}
