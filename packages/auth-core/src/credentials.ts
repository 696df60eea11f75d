/** A long-lived Account Access Token, sent as `Authorization: Bearer <token>`. */
export interface AccessTokenCredentials {
  accessToken: string;
}

/** Legacy API user credentials, exchanged at `POST /jwt/` for a 24 h JWT sent as `Authorization: JWT <token>`. */
export interface PasswordCredentials {
  username: string;
  password: string;
}

export type Credentials = AccessTokenCredentials | PasswordCredentials;

export type AuthMode = 'bearer' | 'jwt';
