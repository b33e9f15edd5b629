// What an editor learns of a recipe while it is checked (src/lsp): the checker
// and the type pass tell each name's type as they declare it, so that hover
// and completion ask them rather than check the recipe a second way.
import type * as Ast from './ast.ts';
import type { CType } from '../types/ctype.ts';
import type { StaticType } from './static-type.ts';

export interface RecipeObserver {
  /** A reading of the recipe begins (a reader may start over): forget what the last one told. */
  begin?(): void;
  /** Each top-level statement as written, in order. */
  statement?(statement: Ast.Statement): void;
  /** A param, let or loop variable declared (one refused as a redefinition is not). */
  name?(name: Ast.Identifier, type: StaticType): void;
  /** A let given the address of a typed object (`… as Player`, `p.next`): the C type there. */
  typedName?(name: Ast.Identifier, type: CType): void;
  /** A struct, union or enum the recipe declares, laid out. */
  declaredType?(declaration: Ast.TypeDeclaration, type: CType): void;
}
