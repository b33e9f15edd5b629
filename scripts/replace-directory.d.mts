// Types of replace-directory.mjs, for the TypeScript test that uses it.
/** Puts `fresh` in the place of `target`, moving `target`'s entries named in `carry` into it first. */
export function replaceDirectory(fresh: string, target: string, carry?: readonly string[]): void;
