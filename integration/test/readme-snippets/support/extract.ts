import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One runnable code block of a README. */
export interface Snippet {
  /** `<readme> > <heading> #<n>`: the README, the heading it sits under, and its rank there (from 1). */
  id: string;
  /** The code as written. */
  code: string;
  /** The packages its install line names (see {@link installFor}). */
  install: string[];
}

/** Code blocks in these languages are snippets; `sh`, `text` and the rest are not. */
const SNIPPET_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs']);

/**
 * The snippets of a README (path relative to the repository root), each with the packages its install
 * line names. The README's first `npm install …` line holds everywhere; a later one holds in its own
 * section (up to the next heading) and replaces it there, except that a line which does not name the
 * README's own package (`npm install @connexease-kit/token-store-file` in http-ky's README) adds to it,
 * as the text around it says.
 */
export function readmeSnippets(repoRoot: string, readme: string, ownPackage: string | undefined): Snippet[] {
  const lines = readFileSync(join(repoRoot, readme), 'utf8').split('\n');
  const snippets: Snippet[] = [];
  let heading = '(top)';
  let rank = 0;
  let base: string[] | undefined;
  let current: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^#{1,6} /.test(line)) {
      heading = line.replace(/^#+ /, '').trim();
      rank = 0;
      current = base ?? [];
      continue;
    }
    const fence = /^```(\S*)/.exec(line);
    if (fence === null) continue;
    const end = lines.findIndex((candidate, index) => index > i && candidate.startsWith('```'));
    const body = lines.slice(i + 1, end);
    i = end;
    const language = fence[1] ?? '';
    if (language === 'sh') {
      for (const command of body) {
        const named = installed(command);
        if (named === undefined) continue;
        const standalone = ownPackage === undefined || named.includes(ownPackage);
        current = standalone || base === undefined ? named : [...new Set([...base, ...named])];
        base ??= named;
      }
      continue;
    }
    if (!SNIPPET_LANGUAGES.has(language)) continue;
    rank++;
    snippets.push({
      id: `${readme} > ${heading} #${rank}`,
      code: body.join('\n'),
      install: [...current].sort(),
    });
  }
  return snippets;
}

/** The packages of an `npm install` command (flags and comments left out), or undefined for another command. */
function installed(command: string): string[] | undefined {
  const match = /^\s*npm install\s+(.*)$/.exec(command.replace(/#.*$/, ''));
  if (match === null) return undefined;
  return match[1]!.split(/\s+/).filter((word) => word !== '' && !word.startsWith('-'));
}
