/** A JWT-shaped token whose `exp` is a day away, so a provider holds it for the whole run. */
export function benchToken(): string {
  const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  return `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode({ user_id: 1, iat: now, exp: now + 86_400 })}.c2ln`;
}
