// A recipe as the API is given it (its text, named or not, or its file),
// and a recipe read from its file: one bounded read, as bytes, for the
// command line and the API alike.
import type { SourceFile } from '../dsl/source.ts';
import { UsageError } from '../errors.ts';
import { MAX_RECIPE_BYTES } from '../limits.ts';
import { readBoundedBytes } from '../regular-file.ts';

/** A recipe: its text, or its text and the name errors give it, or its file (a policy's `recipes.signers` needs one: the signature is FILE.sig beside it). */
export type Recipe = string | { readonly text: string; readonly name: string } | { readonly file: string };

/** The recipe given to run() or compile(): text alone is named `<recipe>`. */
export function sourceOf(recipe: Recipe, caller: string): SourceFile {
  if (typeof recipe === 'string') return { name: '<recipe>', text: recipe };
  if (typeof recipe === 'object' && recipe !== null) {
    if ('file' in recipe && typeof recipe.file === 'string') return recipeFile(recipe.file);
    if ('text' in recipe && typeof recipe.text === 'string' && typeof recipe.name === 'string' && recipe.name !== '') return { name: recipe.name, text: recipe.text };
  }
  throw new UsageError('usage', `${caller}() takes a recipe: its text, { text, name }, or { file: PATH }`, { hint: `${caller}('print 42'), or ${caller}({ file: 'fix.pvm' })` });
}

/** The recipe at `path`, named by it (errors, reports, and its signature RECIPE.sig beside it). */
export function recipeFile(path: string): SourceFile {
  // One bounded read of a regular file, opened without blocking (a FIFO swapped in would wait, or feed the parser
  // past the bound), as bytes: a signature (policy/recipe-signature.ts) is checked over the very bytes the text is
  // decoded from.
  const bytes = readBoundedBytes(
    path,
    MAX_RECIPE_BYTES,
    ({ why, tooLarge }) =>
      tooLarge
        ? new UsageError('recipe-too-large', `recipe '${path}' is too large: ${why}`, { hint: 'recipes are small; split it, or generate less' })
        : new UsageError('recipe-unreadable', `cannot read recipe '${path}': ${why}`, { hint: why.includes('regular file') ? 'a recipe is a .pvm file' : 'check the path of the .pvm file' }),
  );
  return { name: path, text: Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'), bytes };
}
