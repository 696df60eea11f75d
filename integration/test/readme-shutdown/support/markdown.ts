import { readFileSync } from 'node:fs';

/** One fenced code block of a markdown file. */
export interface CodeBlock {
  /** The fence's language (`ts`, `sh`, …). */
  lang: string;
  code: string;
  /** 1-based line of the opening fence, for messages. */
  line: number;
}

/** Every fenced code block of `file`, in order. */
export function codeBlocks(file: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = readFileSync(file, 'utf8').split('\n');
  let open: { lang: string; line: number; body: string[] } | undefined;
  lines.forEach((text, index) => {
    const fence = /^```(\w*)\s*$/.exec(text);
    if (open === undefined) {
      if (fence !== null) open = { lang: fence[1] ?? '', line: index + 1, body: [] };
      return;
    }
    if (text.startsWith('```')) {
      blocks.push({ lang: open.lang, code: open.body.join('\n'), line: open.line });
      open = undefined;
      return;
    }
    open.body.push(text);
  });
  return blocks;
}
