/** What the provider passes to an issuer for one `POST /jwt/` attempt. */
export interface IssueRequest {
  username: string;
  password: string;
  signal: AbortSignal;
}

/** A successful `POST /jwt/` answer, already classified (see `classifyJwtResponse`). */
export interface IssuedToken {
  token: string;
  /** Local clock when the response arrived (epoch ms). */
  receivedAt: number;
  /** The response's `Date` header (epoch ms), used to correct for clock skew. */
  serverDate?: number;
  /** `account.uuid` from the response, when present. */
  accountId?: string;
}

/**
 * Makes exactly one `POST /jwt/` attempt. Resolves with the token, or rejects with a
 * `ConnexeaseAuthError` whose `retryable` says whether another attempt may help (never for a 4XX).
 * The provider owns retries, because every attempt costs quota.
 */
export type JwtIssuer = (request: IssueRequest) => Promise<IssuedToken>;
