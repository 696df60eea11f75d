/**
 * Turns a server's answer into a short, single-line snippet that is safe to put in an error message.
 * Internal helper of `classify.ts`.
 */

/** Longest snippet of a server message kept in an error message. */
export const MAX_SERVER_SNIPPET = 160;

const REDACTED = '[redacted]';
/** Anything shaped like a JWT (base64url JSON header `eyJ…` and payload): a server echoing a token. */
const JWT_LIKE = /eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]*)?/g;
/**
 * A full `Authorization` value echoed back: the scheme followed by something token-shaped (a digit or
 * punctuation in it), so ordinary prose such as "JWT token expired" stays readable.
 */
const AUTHORIZATION_LIKE = /\b(Bearer|JWT)\s+(?=\S*[0-9._~+/=-])[A-Za-z0-9._~+/=-]{6,}/gi;
const HTML_ENTITIES: Readonly<Record<string, string>> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/**
 * Sanitises `text` for an error message: HTML is reduced to its text, every value in `secrets` and
 * anything that looks like a token or an `Authorization` value is redacted, control characters and
 * line breaks become spaces, whitespace is collapsed, and the result is capped at
 * {@link MAX_SERVER_SNIPPET} characters. Redaction happens before the cap, so a cut never leaves
 * part of a secret behind.
 */
export function sanitizeSnippet(text: string, secrets: readonly string[] = []): string {
  let result = redactAll(text, secrets);
  if (/<[a-z!/][^>]*>/i.test(result)) result = redactAll(htmlToText(result), secrets);
  result = result
    .replace(JWT_LIKE, REDACTED)
    .replace(AUTHORIZATION_LIKE, `$1 ${REDACTED}`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(result);
  return chars.length > MAX_SERVER_SNIPPET ? `${chars.slice(0, MAX_SERVER_SNIPPET - 1).join('')}…` : result;
}

function redactAll(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.length > 0) result = result.split(secret).join(REDACTED);
  }
  return result;
}

function htmlToText(html: string): string {
  const title = /<title[^>]*>([\s\S]*?)<\/title>/i.exec(html)?.[1];
  const body = html
    .replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, ' ')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .replace(/<[^>]*>/g, ' ');
  const text = title !== undefined && title.trim() !== '' ? `${title} ${body}` : body;
  return decodeEntities(text);
}

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name.startsWith('#')) {
      const code =
        name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
    }
    return HTML_ENTITIES[name.toLowerCase()] ?? entity;
  });
}
