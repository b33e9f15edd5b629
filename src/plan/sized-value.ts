// Whether a value fits the sized type it is written as (`bytes N`, `cstring
// max N`, `utf16 N`): one rule, which the checker applies to literals (so a
// misfit is found before anything runs) and encode.ts to every value as it
// runs, with the same words.

export type SizedKind = 'bytes' | 'cstring' | 'utf16';

/** Why `bytes` (a string's UTF-8, or bytes) or `units` (a string's UTF-16 units) do not fit `kind` of `size`; undefined when they do. */
export function sizedMisfit(kind: SizedKind, size: number, bytes: number, units: number): { readonly message: string; readonly hint: string } | undefined {
  switch (kind) {
    case 'bytes':
      return bytes === size ? undefined : { message: `the value has ${bytes} bytes, not the ${size} that bytes ${size} says`, hint: `give exactly ${size} bytes, or write \`bytes\` without a size` };
    case 'cstring':
      return bytes + 1 <= size ? undefined : { message: `the string and its NUL take ${bytes + 1} bytes, more than cstring max ${size}`, hint: 'shorten the string, or raise max' };
    case 'utf16':
      return units <= size ? undefined : { message: `the string has ${units} UTF-16 units, more than utf16 ${size} allows`, hint: 'shorten the string, or raise the size' };
  }
}
