import { ConnexeaseAuthError, isConnexeaseAuthError } from '@connexease-kit/auth-core';
import { expect, test } from 'vitest';

test('ConnexeaseAuthError carries a stable code and serialises without its cause', () => {
  const error = new ConnexeaseAuthError('QUOTA_EXHAUSTED', 'quota spent', {
    retryAt: 5,
    cause: new Error('x'),
  });
  expect(isConnexeaseAuthError(error, 'QUOTA_EXHAUSTED')).toBe(true);
  expect(JSON.parse(JSON.stringify(error))).toMatchObject({
    code: 'QUOTA_EXHAUSTED',
    retryAt: 5,
    retryable: false,
  });
});
