// The text around a position: the word under it, and what comes before it on
// its line (the context a completion or a hover depends on).

export interface Word {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

const NAME_CHAR = /[A-Za-z0-9_]/;

/** The name (letters, digits, `_`) that `offset` is in or just after, or undefined. */
export function wordAt(text: string, offset: number): Word | undefined {
  let start = offset;
  let end = offset;
  while (start > 0 && NAME_CHAR.test(text[start - 1]!)) start--;
  while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
  if (start === end || /[0-9]/.test(text[start]!)) return undefined;
  return { text: text.slice(start, end), start, end };
}

/** The line's text from its start to `offset`. */
export function lineBefore(text: string, offset: number): string {
  return text.slice(text.lastIndexOf('\n', offset - 1) + 1, offset);
}

/** Whether `offset` is in a comment or a string, going by its line (a recipe's strings do not span lines). */
export function inCommentOrString(text: string, offset: number): 'comment' | 'string' | undefined {
  let quote = false;
  const before = lineBefore(text, offset);
  for (let i = 0; i < before.length; i++) {
    const ch = before[i]!;
    if (quote && ch === '\\') i++;
    else if (ch === '"') quote = !quote;
    else if (ch === '#' && !quote) return 'comment';
  }
  return quote ? 'string' : undefined;
}
