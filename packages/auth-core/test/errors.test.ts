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

test('the cross-copy brand stays out of util.inspect and JSON, and only real errors carry it', async () => {
  const { inspect } = await import('node:util');
  const error = new ConnexeaseAuthError('TIMEOUT', 'slow');
  expect(inspect(error), 'the brand lives on the prototype, not on each error').not.toContain(
    'connexease-kit.',
  );
  expect(Object.keys(JSON.parse(JSON.stringify(error)))).not.toContain('brand');
  for (const value of [null, undefined, 'ConnexeaseAuthError', { code: 'TIMEOUT' }, new Error('x')]) {
    expect(isConnexeaseAuthError(value), `${String(value)} is not a ConnexeaseAuthError`).toBe(false);
  }
  class Subclass extends ConnexeaseAuthError {}
  expect(isConnexeaseAuthError(new Subclass('ABORTED', 'x'), 'ABORTED'), 'a subclass is one').toBe(true);
});
