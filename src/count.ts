// Counted nouns in messages: `1 site`, `3 sites`.

export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
