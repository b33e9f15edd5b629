// Where the checker finds the types a recipe names but does not declare: a
// module's debug info (DWARF), through the target's map. The checker asks
// only this; it never sees files, DWARF or processes.
import type { CType, TypeName } from './ctype.ts';

/** Why a type could not be given: a clear message with a fix, and whose fault it is. */
export interface TypeProblem {
  readonly code: 'no-type' | 'ambiguous-type' | 'no-debug-info' | 'bad-debug-info' | 'no-module';
  readonly message: string;
  readonly hint: string | undefined;
  /** 2: the recipe names something that is not there; 4: the target or its files cannot give it. */
  readonly exit: 2 | 4;
}

export type TypeLookup = { readonly type: CType } | { readonly problem: TypeProblem };

export interface TypeSource {
  /**
   * The type `name` from `module`'s debug info (as `from "MODULE"` names it:
   * basename or path suffix), or, with `module` undefined, from the
   * executable's, else the one layout the other modules that define it agree
   * on (as gdb looks through every objfile). A plain name is a typedef or base type first, else the one
   * struct, union or enum of that name. A name defined differently by more
   * than one compile unit is a problem naming them.
   */
  lookup(name: TypeName, module: string | undefined): TypeLookup;
}

/** The types of one file's debug info (dwarf/debug-types.ts builds it). */
export interface DebugTypes {
  /** The file the debug info was read from (the module's own, or its separate debug file). */
  readonly path: string;
  readonly buildId: string | undefined;
  /**
   * Every distinct definition of `name` in exactly that namespace: `struct`,
   * `union` or `enum` tags, or (tag undefined) typedefs and base types.
   * Definitions identical in layout from many compile units count once; a
   * declaration (`struct X;`) counts only when no unit defines X.
   */
  find(name: TypeName): CType[];
  /** Every name it defines, spelled as a recipe would (`struct malloc_state`, `PyObject`), for did-you-mean and `pvm types FILE`. */
  names(): string[];
}

/**
 * Thrown by `TYPES_FROM_THE_TARGET` when a recipe names a type it does not
 * declare: compiled before a target is open, it must be compiled again once
 * one is, with the target's types (api/run-recipe.ts).
 */
export class TypesNeedTarget extends Error {
  constructor() {
    super('this recipe names types from debug info: it is compiled once the target is open');
  }
}

/** The types of a target that is not open yet: asking for one stops the compile (TypesNeedTarget). */
export const TYPES_FROM_THE_TARGET: TypeSource = {
  lookup() {
    throw new TypesNeedTarget();
  },
};
