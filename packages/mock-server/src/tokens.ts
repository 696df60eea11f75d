import { randomUUID } from 'node:crypto';
import { decodeJwt, errors, jwtVerify, SignJWT } from 'jose';

/** The claims the mock puts in every JWT. */
export interface MockJwtClaims {
  exp: number;
  iat: number;
  user_id: number;
  username: string;
  email: string;
  jti: string;
}

/** Why a JWT was refused. */
export type JwtRejection = 'expired' | 'revoked' | 'bad_signature' | 'malformed';

export type JwtVerification = { ok: true; claims: MockJwtClaims } | { ok: false; reason: JwtRejection };

/** What `sign` needs to know about the user. */
export interface TokenSubject {
  userId: number;
  username: string;
  email: string;
}

/** Signs HS256 JWTs, verifies them against the server clock, and remembers revocations by `jti`. */
export class TokenAuthority {
  readonly #key: Uint8Array;
  /** jti → username of every token this server signed, so a user's tokens can be revoked. */
  readonly #issued = new Map<string, string>();
  readonly #revoked = new Set<string>();

  constructor(secret: string) {
    this.#key = new TextEncoder().encode(secret);
  }

  /** A signed JWT; `exp = iatSeconds + lifetimeSeconds`. */
  async sign(subject: TokenSubject, iatSeconds: number, lifetimeSeconds: number): Promise<string> {
    const jti = randomUUID().replaceAll('-', '');
    this.#issued.set(jti, subject.username);
    const claims: MockJwtClaims = {
      exp: iatSeconds + lifetimeSeconds,
      iat: iatSeconds,
      user_id: subject.userId,
      username: subject.username,
      email: subject.email,
      jti,
    };
    return new SignJWT({ ...claims }).setProtectedHeader({ typ: 'JWT', alg: 'HS256' }).sign(this.#key);
  }

  async verify(token: string, nowMs: number): Promise<JwtVerification> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.#key, {
        algorithms: ['HS256'],
        currentDate: new Date(nowMs),
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, reason: 'expired' };
      if (error instanceof errors.JWSSignatureVerificationFailed)
        return { ok: false, reason: 'bad_signature' };
      return { ok: false, reason: 'malformed' };
    }
    if (!isMockClaims(payload)) return { ok: false, reason: 'malformed' };
    if (this.#revoked.has(payload.jti)) return { ok: false, reason: 'revoked' };
    return { ok: true, claims: payload };
  }

  /** Revokes one JWT by its `jti` (read without verifying). False if it is not a JWT or already revoked. */
  revokeToken(token: string): boolean {
    let jti: unknown;
    try {
      jti = decodeJwt(token).jti;
    } catch {
      return false;
    }
    if (typeof jti !== 'string' || this.#revoked.has(jti)) return false;
    this.#revoked.add(jti);
    return true;
  }

  /** Revokes every token signed so far for `username` (or for everyone); returns how many were newly revoked. */
  revokeIssued(username?: string): number {
    let count = 0;
    for (const [jti, owner] of this.#issued) {
      if ((username === undefined || owner === username) && !this.#revoked.has(jti)) {
        this.#revoked.add(jti);
        count++;
      }
    }
    return count;
  }

  clear(): void {
    this.#issued.clear();
    this.#revoked.clear();
  }
}

function isMockClaims(payload: Record<string, unknown>): payload is Record<string, unknown> & MockJwtClaims {
  return (
    typeof payload.jti === 'string' &&
    typeof payload.username === 'string' &&
    typeof payload.exp === 'number' &&
    typeof payload.iat === 'number'
  );
}
