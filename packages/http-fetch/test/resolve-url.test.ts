import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { resolveAgainst } from '../src/resolve-url.ts';

const BASES = ['https://api.connexease.com/', 'http://127.0.0.1:8080/v2/', 'https://example.com/a/b/'];

describe('resolveAgainst', () => {
  it.each([
    'some/endpoint/',
    'orders/42',
    'stats',
    '/root/',
    '../up/',
    './here',
    '..',
    'a/../b',
    'a/./b',
    'a/..',
    'x?y=1&z=%20',
    '?q=1',
    '#frag',
    'https://other.example/x',
    'mailto:x',
    'a b/ü',
    '',
    'a\\b',
    '.hidden/x',
    'a/.well-known/x',
  ])('%o resolves as new URL(input, base) does', (input) => {
    for (const base of BASES) expect(String(resolveAgainst(base)(input))).toBe(new URL(input, base).href);
  });

  it('agrees with new URL(input, base) for any string', () => {
    const resolve = resolveAgainst(BASES[1]!);
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('a', 'Z', '0', '-', '_', '~', '.', '/', '?', '=', '&', '%', ':', '#', ' '),
        }),
        (input) => {
          let expected: string;
          try {
            expected = new URL(input, BASES[1]).href;
          } catch {
            return;
          }
          expect(String(resolve(input))).toBe(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
