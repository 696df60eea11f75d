import {
  type BlockRecord,
  copyBlockRecord,
  isSameTokenRecord,
  TOKEN_STORE_METHODS,
} from '@connexease-kit/auth-core/store';
import { describe, expect, test } from 'vitest';
import { createMemoryTokenStore } from '../../token-store-memory/src/index.ts';

const record = { value: 'tok-A', expiresAt: 2, issuedAt: 1, fence: 3 };

describe('isSameTokenRecord', () => {
  test('the same token is equal value and fence, or both absent', () => {
    expect(isSameTokenRecord(record, { ...record })).toBe(true);
    expect(isSameTokenRecord(null, null)).toBe(true);
    expect(isSameTokenRecord(record, null)).toBe(false);
    expect(isSameTokenRecord(null, record)).toBe(false);
    expect(isSameTokenRecord(record, { ...record, value: 'tok-B' })).toBe(false);
    // A re-issue of the same value by a newer leader is a different record.
    expect(isSameTokenRecord(record, { ...record, fence: 4 })).toBe(false);
    // Times do not make a different token.
    expect(isSameTokenRecord(record, { ...record, expiresAt: 9 })).toBe(true);
  });
});

describe('copyBlockRecord', () => {
  test('keeps exactly the contract fields, optional ones only when present', () => {
    const block = {
      code: 'INVALID_CREDENTIALS',
      status: 401,
      reason: 'wrong password',
      createdAt: 5,
      until: 9,
      fingerprint: 'fp',
      extra: 'dropped',
    } as BlockRecord & { extra: string };
    expect(copyBlockRecord(block)).toEqual({
      code: 'INVALID_CREDENTIALS',
      status: 401,
      reason: 'wrong password',
      createdAt: 5,
      until: 9,
      fingerprint: 'fp',
    });
    const permanent = copyBlockRecord({ code: 'AGENT_BANNED', status: 403, reason: 'banned', createdAt: 5 });
    expect(Object.keys(permanent)).toEqual(['code', 'status', 'reason', 'createdAt']);
  });
});

describe('TOKEN_STORE_METHODS', () => {
  test('names each method of a real store once', async () => {
    const store = createMemoryTokenStore();
    for (const method of TOKEN_STORE_METHODS) expect(typeof store[method]).toBe('function');
    expect(new Set(TOKEN_STORE_METHODS).size).toBe(TOKEN_STORE_METHODS.length);
    await store.close();
  });
});
