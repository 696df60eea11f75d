import { inspect } from 'node:util';
import {
  assertBlockRecord,
  assertLease,
  assertNamespace,
  assertNonNegativeMs,
  assertPositiveMs,
  assertQuotaRequest,
  assertQuotaRestoreRequest,
  assertTokenRecord,
  assertTokenValue,
} from '@connexease-kit/auth-core/store';
import { describe, expect, test } from 'vitest';

const SECRET = 'eyJhbGciOiJIUzI1NiJ9.c2VjcmV0.signature';
const invalid = { name: 'ConnexeaseAuthError', code: 'CONFIG_INVALID' };
const record = { value: SECRET, expiresAt: 2000, issuedAt: 1000, fence: 3 };
const block = { code: 'AGENT_BANNED', status: 403, reason: 'banned', createdAt: 1000 };
const held = { id: 'owner', fence: 1, expiresAt: 5 };

function thrownBy(check: () => void): unknown {
  try {
    check();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('store input assertions accept what the contract allows', () => {
  test.each<[string, () => void]>([
    ['a namespace', () => assertNamespace('cxk:ns')],
    ['a lease', () => assertLease({ id: 'owner', fence: 1, expiresAt: 5 })],
    ['a token record', () => assertTokenRecord(record)],
    [
      'a token record with unauthorizedRefresh',
      () => assertTokenRecord({ ...record, unauthorizedRefresh: { at: 1000, intervalMs: 60_000 } }),
    ],
    ['a token value', () => assertTokenValue(SECRET)],
    ['a quota request', () => assertQuotaRequest({ id: 'r', limit: 25, windowMs: 86_400_000, lease: held })],
    [
      'a quota request with remembered entries',
      () => assertQuotaRequest({ id: 'r', limit: 25, windowMs: 1, lease: held, known: [{ id: 'a', at: 1 }] }),
    ],
    ['a restore request', () => assertQuotaRestoreRequest({ windowMs: 1, known: [] })],
    ['a permanent block', () => assertBlockRecord(block)],
    ['a timed block', () => assertBlockRecord({ ...block, until: 5000, fingerprint: 'f' })],
    ['a fractional positive duration', () => assertPositiveMs(0.5, 'ttlMs')],
    ['a zero timeout', () => assertNonNegativeMs(0, 'timeoutMs')],
    ['an unlimited timeout', () => assertNonNegativeMs(Number.POSITIVE_INFINITY, 'timeoutMs')],
  ])('%s', (_, check) => {
    expect(check).not.toThrow();
  });
});

describe('store input assertions reject bad input with CONFIG_INVALID', () => {
  test.each<[string, () => void, RegExp]>([
    ['an empty namespace', () => assertNamespace(''), /namespace/],
    ['a non-string namespace', () => assertNamespace(42), /namespace/],
    ['a lease without an id', () => assertLease({ id: '', fence: 1, expiresAt: 5 }), /lease/],
    ['a lease with a fractional fence', () => assertLease({ id: 'o', fence: 1.5, expiresAt: 5 }), /lease/],
    ['a missing lease', () => assertLease(null), /lease/],
    ['a record without a value', () => assertTokenRecord({ ...record, value: '' }), /token record/],
    [
      'a record with a negative unauthorizedRefresh interval',
      () => assertTokenRecord({ ...record, unauthorizedRefresh: { at: 1000, intervalMs: -1 } }),
      /unauthorizedRefresh/,
    ],
    [
      'a record with an unauthorizedRefresh that is not an object',
      () => assertTokenRecord({ ...record, unauthorizedRefresh: 60_000 }),
      /unauthorizedRefresh/,
    ],
    ['a record with NaN expiresAt', () => assertTokenRecord({ ...record, expiresAt: Number.NaN }), /record/],
    ['a record with a fractional fence', () => assertTokenRecord({ ...record, fence: 0.5 }), /record/],
    ['an empty token value', () => assertTokenValue(''), /discardToken/],
    ['a missing quota request', () => assertQuotaRequest(undefined), /request/],
    [
      'an empty reservation id',
      () => assertQuotaRequest({ id: '', limit: 1, windowMs: 1, lease: held }),
      /id/,
    ],
    [
      'an over-long reservation id',
      () => assertQuotaRequest({ id: 'x'.repeat(257), limit: 1, windowMs: 1, lease: held }),
      /id/,
    ],
    [
      'a fractional limit',
      () => assertQuotaRequest({ id: 'r', limit: 2.5, windowMs: 1, lease: held }),
      /limit/,
    ],
    ['a zero window', () => assertQuotaRequest({ id: 'r', limit: 1, windowMs: 0, lease: held }), /windowMs/],
    ['a reservation without a lease', () => assertQuotaRequest({ id: 'r', limit: 1, windowMs: 1 }), /lease/],
    [
      'a reservation with a malformed lease',
      () => assertQuotaRequest({ id: 'r', limit: 1, windowMs: 1, lease: { id: '' } }),
      /lease/,
    ],
    [
      'too many remembered entries',
      () =>
        assertQuotaRequest({
          id: 'r',
          limit: 1,
          windowMs: 1,
          lease: held,
          known: Array.from({ length: 65 }, (_, i) => ({ id: `e${i}`, at: i })),
        }),
      /at most 64/,
    ],
    [
      'a remembered entry with a NaN time',
      () => assertQuotaRestoreRequest({ windowMs: 1, known: [{ id: 'a', at: Number.NaN }] }),
      /restoreQuota known/,
    ],
    ['a restore without entries', () => assertQuotaRestoreRequest({ windowMs: 1 }), /restoreQuota known/],
    ['an unknown block code', () => assertBlockRecord({ ...block, code: 'NOPE' }), /block record/],
    ['a fractional status', () => assertBlockRecord({ ...block, status: 403.5 }), /block record/],
    ['a NaN until', () => assertBlockRecord({ ...block, until: Number.NaN }), /block record/],
    ['a zero duration', () => assertPositiveMs(0, 'acquireLease ttlMs'), /acquireLease ttlMs/],
    ['an infinite duration', () => assertPositiveMs(Number.POSITIVE_INFINITY, 'ttlMs'), /ttlMs/],
    ['a duration past 2^53 ms', () => assertPositiveMs(2 ** 60, 'ttlMs'), /ttlMs/],
    ['a negative timeout', () => assertNonNegativeMs(-1, 'waitForToken timeoutMs'), /timeoutMs/],
    ['a NaN timeout', () => assertNonNegativeMs(Number.NaN, 'timeoutMs'), /timeoutMs/],
  ])('%s', (_, check, phrase) => {
    const error = thrownBy(check);
    expect(error).toMatchObject(invalid);
    expect((error as Error).message).toMatch(phrase);
  });

  test('messages never echo a token value', () => {
    const errors = [
      thrownBy(() => assertTokenRecord({ ...record, expiresAt: Number.NaN })),
      thrownBy(() => assertTokenRecord({ ...record, value: `${SECRET}`, fence: 'x' })),
      thrownBy(() => assertLease({ id: SECRET, fence: Number.NaN })),
    ];
    for (const error of errors) {
      expect(error).toMatchObject(invalid);
      expect(`${(error as Error).message} ${JSON.stringify(error)} ${inspect(error)}`).not.toContain(SECRET);
    }
  });
});
