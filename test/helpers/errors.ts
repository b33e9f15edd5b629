// Catching the error a test expects: a PvmError (anything else is rethrown,
// so a bug is never mistaken for the expected refusal).
import { compileSource } from '../../src/dsl/compile-source.ts';
import { InvalidRecipe } from '../../src/dsl/diagnostic.ts';
import { PvmError } from '../../src/errors.ts';

export function caught(run: () => unknown): PvmError {
  try {
    run();
  } catch (error) {
    if (error instanceof PvmError) return error;
    throw error;
  }
  throw new Error('expected a PvmError');
}

export async function caughtAsync(run: () => Promise<unknown>): Promise<PvmError> {
  try {
    await run();
  } catch (error) {
    if (error instanceof PvmError) return error;
    throw error;
  }
  throw new Error('expected a PvmError');
}

/** The rendered diagnostics of a recipe named r.pvm that must not compile. */
export function diagnosticsOf(text: string): string {
  const error = caught(() => compileSource({ name: 'r.pvm', text }));
  if (!(error instanceof InvalidRecipe)) throw new Error(`expected an invalid recipe, got ${error.code}`);
  return error.message;
}
