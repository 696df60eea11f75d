/**
 * The `POST /jwt/` bodies the Connexease authentication page documents, verbatim, plus the mock's
 * body for an inactive user when `inactiveBody: 'json'` (the page shows none).
 */
export const JWT_RESPONSE_BODIES: {
  readonly usernameRequired: { readonly message: 'Username is required.' };
  readonly banned: { readonly message: 'This agent has been banned!' };
  readonly invalidCredentials: { readonly detail: 'No active account found with the given credentials' };
  readonly inactive: { readonly detail: 'User account is disabled.' };
} = Object.freeze({
  usernameRequired: Object.freeze({ message: 'Username is required.' }),
  banned: Object.freeze({ message: 'This agent has been banned!' }),
  invalidCredentials: Object.freeze({ detail: 'No active account found with the given credentials' }),
  inactive: Object.freeze({ detail: 'User account is disabled.' }),
} as const);

/** The documented 200 body of `POST /jwt/`. */
export function successBody(token: string, accountUuid: string): Record<string, unknown> {
  return { token, ...bodyWithoutToken(accountUuid) };
}

/** The 200 body minus `token` (the `no-token` fault). */
export function bodyWithoutToken(accountUuid: string): Record<string, unknown> {
  return { account: { uuid: accountUuid }, otp: false, client: { device_id: 'deviceId' } };
}
