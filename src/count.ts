// Counted nouns in messages: `1 site`, `3 sites`, `2 processes`.

export function count(n: number, noun: string): string {
  if (n === 1) return `${n} ${noun}`;
  return `${n} ${/(s|sh|ch|x)$/.test(noun) ? `${noun}es` : `${noun}s`}`;
}
