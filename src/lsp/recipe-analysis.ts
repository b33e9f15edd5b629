// What the language server knows of one version of a recipe: the checker's
// diagnostics, and the names it declares, where each is visible and of what
// type. The recipe is compiled as `pvm check` compiles it (compileRecipe);
// the checker and the type pass tell each name's type as they declare it
// (RecipeObserver), so nothing here checks a second way.
import type * as Ast from '../dsl/ast.ts';
import { compileRecipe } from '../dsl/compile-recipe.ts';
import { type Diagnostic, InvalidRecipe } from '../dsl/diagnostic.ts';
import type { RecipeObserver } from '../dsl/recipe-observer.ts';
import type { SourceFile, Span } from '../dsl/source.ts';
import type { StaticType } from '../dsl/static-type.ts';
import { count } from '../count.ts';
import { PvmError } from '../errors.ts';
import { closest } from '../suggest.ts';
import type { CType } from '../types/ctype.ts';
import type { TypeLookup, TypeSource } from '../types/type-source.ts';

/** A name the recipe declares: a param, a let, a loop variable, or a struct, union or enum. */
export interface Declaration {
  readonly name: string;
  readonly kind: 'param' | 'let' | 'loop' | 'type';
  /** The name where it is declared (what go to definition jumps to). */
  readonly span: Span;
  /** Where the name may be used: from its declaration to the end of its block (a type: the whole recipe). */
  readonly visible: Span;
  /** Its value's type, as the checker gave it (a type declaration has none). */
  readonly type: StaticType | undefined;
  /** The C type at its address (`let p = x as Player`), or the type a declaration lays out. */
  readonly ctype: CType | undefined;
}

/** How serious a diagnostic is: the checker's are errors; a type only the target's debug info can give, without a target, is information. */
export type Severity = 'error' | 'warning' | 'information';

export interface EditorDiagnostic extends Diagnostic {
  readonly severity: Severity;
}

export interface RecipeAnalysis {
  readonly diagnostics: readonly EditorDiagnostic[];
  readonly declarations: readonly Declaration[];
}

/**
 * Compiles `source` and collects what it declares. `types`: the target's debug info, when the editor has a
 * target; without one, a type the recipe names but does not declare is information (give a target to check
 * it), never an error, and the rest of the recipe is checked as usual.
 */
export async function analyzeRecipe(source: SourceFile, types: TypeSource | undefined): Promise<RecipeAnalysis> {
  const collector = new DeclarationCollector(source.text);
  const unchecked = new Set<string>();
  const typeSource = types ?? typesWithoutTarget(unchecked, () => collector.typeNames());
  let diagnostics: EditorDiagnostic[] = [];
  try {
    await compileRecipe(source, { types: typeSource, observer: collector });
  } catch (error) {
    if (error instanceof InvalidRecipe) {
      diagnostics = error.diagnostics.map((d) => ({ ...d, severity: unchecked.has(d.message) ? 'information' : 'error' }));
      // As `pvm check` says it: the errors past the first MAX_DIAGNOSTICS are counted, not listed.
      const last = error.diagnostics.at(-1);
      if (error.omitted > 0 && last !== undefined) {
        diagnostics.push({ code: 'invalid-recipe', message: `and ${count(error.omitted, 'more error')} not shown`, hint: 'fix these first', span: last.span, severity: 'information' });
      }
    } else if (error instanceof PvmError) {
      // The target's files could not give a type (exit 4): said where the recipe names it, as a warning.
      diagnostics = [{ code: error.code, message: error.message, hint: error.hint, span: spanOf(source.text, error.line, error.col), severity: 'warning' }];
    } else throw error;
  }
  return { diagnostics, declarations: collector.declarations() };
}

/**
 * A type from debug info, asked for without a target: a problem the caller shows as information, not as an
 * error. A name a type the recipe declares is a letter or two from (`Playr`, `Player` declared) is the
 * checker's error, with its did-you-mean, as `pvm check` gives it.
 */
function typesWithoutTarget(unchecked: Set<string>, declared: () => readonly string[]): TypeSource {
  return {
    lookup(name): TypeLookup {
      const spelled = name.tag === undefined ? name.name : `${name.tag} ${name.name}`;
      const near = closest(name.name, declared());
      if (near !== undefined && near !== name.name) {
        return { problem: { code: 'no-type', message: `the recipe declares no type '${spelled}'`, hint: `did you mean '${near}'?`, exit: 2 } };
      }
      const message = `'${spelled}' is not declared in the recipe: it comes from the target's debug info`;
      unchecked.add(message);
      return { problem: { code: 'no-type', message, hint: 'name a target in the first line, # pvm: --pid N (or --core FILE), to check it against the debug info', exit: 2 } };
    },
  };
}

/** The span at a 1-based line and column (where a PvmError says it is), else the start. */
function spanOf(text: string, line: number | undefined, col: number | undefined): Span {
  if (line === undefined) return { start: 0, end: 0 };
  let start = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf('\n', start);
    if (next < 0) return { start: 0, end: 0 };
    start = next + 1;
  }
  const offset = start + Math.max(0, (col ?? 1) - 1);
  return { start: offset, end: offset };
}

/** Listens to a compile: the statements as written (for where names are visible), and each name's type. */
class DeclarationCollector implements RecipeObserver {
  readonly #text: string;
  #statements: Ast.Statement[] = [];
  #types = new Map<number, StaticType>();
  #ctypes = new Map<number, CType>();

  constructor(text: string) {
    this.#text = text;
  }

  /** The struct, union and enum names the recipe declares (so far). */
  typeNames(): string[] {
    return this.#statements.flatMap((s) => (s.kind === 'type' ? [s.name.name] : []));
  }

  begin(): void {
    this.#statements = [];
    this.#types = new Map();
    this.#ctypes = new Map();
  }

  statement(statement: Ast.Statement): void {
    this.#statements.push(statement);
  }

  name(name: Ast.Identifier, type: StaticType): void {
    this.#types.set(name.span.start, type);
  }

  typedName(name: Ast.Identifier, type: CType): void {
    this.#ctypes.set(name.span.start, type);
  }

  declaredType(declaration: Ast.TypeDeclaration, type: CType): void {
    this.#ctypes.set(declaration.name.span.start, type);
  }

  declarations(): Declaration[] {
    const found: Declaration[] = [];
    const end = this.#text.length;
    const add = (kind: Declaration['kind'], name: Ast.Identifier, from: number, to: number) => {
      // A name the checker refused (`redefined`) declares nothing: the one it is already is.
      if (kind !== 'type' && !this.#types.has(name.span.start)) return;
      found.push({ name: name.name, kind, span: name.span, visible: { start: from, end: to }, type: this.#types.get(name.span.start), ctype: this.#ctypes.get(name.span.start) });
    };
    // A block's names are visible from their statement's end to the block's end (a nested block's: its statement's end).
    const block = (statements: readonly Ast.Statement[], end: number): void => {
      for (const s of statements) {
        switch (s.kind) {
          case 'param':
          case 'let':
            add(s.kind, s.name, s.span.end, end);
            break;
          case 'type':
            add('type', s.name, 0, end);
            break;
          case 'for':
            add('loop', s.variable, s.variable.span.start, s.span.end);
            block(s.body, s.span.end);
            break;
          case 'while':
            block(s.body, s.span.end);
            break;
          case 'if':
            block(s.then, s.otherwise === undefined ? s.span.end : (closingBrace(this.#text, s.then.at(-1)?.span.end) ?? s.otherwise[0]?.span.start ?? s.span.end));
            if (s.otherwise !== undefined) block(s.otherwise, s.span.end);
            break;
          default:
            break;
        }
      }
    };
    block(this.#statements, end);
    return found;
  }
}

/**
 * Where the block whose last statement ends at `from` closes: the offset of its `}`. Only spaces, `;` and
 * comments come between; the AST keeps no span of the braces, and a then-block's names end there, not in
 * its else.
 */
function closingBrace(text: string, from: number | undefined): number | undefined {
  if (from === undefined) return undefined;
  for (let at = from; at < text.length; at++) {
    const ch = text[at]!;
    if (ch === '}') return at;
    if (ch === '#') {
      const line = text.indexOf('\n', at);
      if (line < 0) return undefined;
      at = line;
    } else if (!/[\s;]/.test(ch)) return undefined;
  }
  return undefined;
}

/** The declaration `name` at `offset` means: the one visible there (on its own name, itself); the latest, should two be. */
export function declarationAt(declarations: readonly Declaration[], name: string, offset: number): Declaration | undefined {
  let best: Declaration | undefined;
  for (const d of declarations) {
    if (d.name !== name) continue;
    if (d.span.start <= offset && offset <= d.span.end) return d;
    if (d.visible.start <= offset && offset <= d.visible.end && (best === undefined || d.span.start > best.span.start)) best = d;
  }
  return best;
}

/** The names (not types) visible at `offset`. */
export function namesVisibleAt(declarations: readonly Declaration[], offset: number): Declaration[] {
  return declarations.filter((d) => d.kind !== 'type' && d.visible.start <= offset && offset <= d.visible.end);
}
