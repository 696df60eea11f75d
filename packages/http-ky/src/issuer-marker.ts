/**
 * Put into the ky `context` of every `POST /jwt/` the issuer sends. `authHooks` leaves such requests
 * alone, so a ky instance that already carries `authHooks` can also be handed to `createJwtIssuer`
 * without the token request waiting for a token.
 */
export const ISSUER_REQUEST: unique symbol = Symbol('connexease-kit.issuer-request');

/** Whether a ky request's `context` marks it as the issuer's own `POST /jwt/`. */
export function isIssuerRequest(context: object | undefined): boolean {
  return context !== undefined && (context as Record<symbol, unknown>)[ISSUER_REQUEST] === true;
}
