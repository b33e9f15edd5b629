// Text → the recipe's top-level statements, in order: the one place that says
// "the fast parser first, else Ohm". The fast parser reads the recipe; Ohm
// (parse.ts) reads only the statements it was not sure of, and explains every
// syntax error. The caller says how Ohm is loaded: the CLI only when needed
// (compile-recipe.ts), tests and scripts with this module (compile-source.ts).
import type * as Ast from './ast.ts';
import { checkNesting } from './brackets.ts';
import { assert } from '../errors.ts';
import { fastParsePieces, type FastPiece, parsedRecipe } from './fast-parse.ts';
import type { SourceFile } from './source.ts';

/** What reads the pieces the fast parser was not sure of: parse.ts's parsePieces. */
export type OhmReader = (source: SourceFile, pieces: readonly FastPiece[], statementStarts: readonly number[]) => Ast.Recipe;

/** What the statements are given to, one at a time, in order (a RecipeCompiler). */
export interface StatementSink {
  readonly add: (statement: Ast.Statement) => void;
}

/** A recipe read by the fast parser, the rest waiting for Ohm if it needs it. */
export interface RecipeReading<Sink extends StatementSink> {
  /** Whether `complete` needs Ohm: load it then, and only then. */
  readonly needsOhm: boolean;
  /** The sink, given every statement; or throws `InvalidRecipe` with the syntax errors (before any diagnostic the sink reports). */
  complete(ohm: OhmReader | undefined): Sink;
}

/**
 * Reads `source` into a sink `begin` makes. The statements the fast parser is sure of are given to the sink as
 * it reads them (a large recipe's tree is never whole in memory); should Ohm find no error on a line whose
 * first statements were given already, a new sink is begun and the recipe read again, whole. Throws
 * `InvalidRecipe` for nesting too deep.
 */
export function readRecipe<Sink extends StatementSink>(source: SourceFile, begin: () => Sink): RecipeReading<Sink> {
  const { statementStarts } = checkNesting(source);
  let sink = begin();
  const { pieces, whole } = fastParsePieces(source.text, statementStarts, sink.add);
  const parsed = parsedRecipe(pieces);
  return {
    needsOhm: parsed === undefined,
    complete(ohm) {
      if (parsed !== undefined) {
        parsed.statements.forEach(sink.add);
        return sink;
      }
      assert(ohm !== undefined, 'the fast parser gave up on a statement, and no Ohm was given to read it');
      const rest = ohm(source, pieces, statementStarts).statements;
      if (whole) rest.forEach(sink.add);
      else {
        sink = begin();
        ohm(source, fastParsePieces(source.text, statementStarts), statementStarts).statements.forEach(sink.add);
      }
      return sink;
    },
  };
}
