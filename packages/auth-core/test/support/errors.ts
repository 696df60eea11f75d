import { ConnexeaseAuthError } from '@connexease-kit/auth-core';

/** Runs `run` and returns the ConnexeaseAuthError it throws; fails the test on any other outcome. */
export function catchAuthError(run: () => unknown): ConnexeaseAuthError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConnexeaseAuthError) return error;
    throw error;
  }
  throw new Error('expected a ConnexeaseAuthError, but nothing was thrown');
}

/** Awaits `promise` and returns the ConnexeaseAuthError it rejects with; fails the test otherwise. */
export async function rejectionOf(promise: Promise<unknown>): Promise<ConnexeaseAuthError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnexeaseAuthError) return error;
    throw error;
  }
  throw new Error('expected a rejection with a ConnexeaseAuthError, but the promise resolved');
}
