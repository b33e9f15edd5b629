// What the language server learns of a recipe from one compile: the
// checker's diagnostics, and each name with where it is visible and the type
// the checker (and the type pass) gave it. And what completion offers where.
import { describe, expect, it } from 'vitest';
import { analyzeRecipe, declarationAt, namesVisibleAt } from '../../src/lsp/recipe-analysis.ts';
import { codeCompletions, completionContext } from '../../src/lsp/completion.ts';
import { definitionAt } from '../../src/lsp/definition.ts';
import { declarationsWhileTyping } from '../../src/lsp/half-written.ts';
import { hoverAt } from '../../src/lsp/hover.ts';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { InvalidRecipe } from '../../src/dsl/diagnostic.ts';
import { spell } from '../../src/types/ctype.ts';

const RECIPE = `struct Node {
  value: u32
  next: Node*
}
param head: ptr = 0x1000
let n = head as Node
for i in 0..4 {
  let v = n.value
  if v > 2 {
    let big = v
  } else {
    let small = v
  }
}
let r = region("[heap]")
`;

describe('the analysis of a recipe', () => {
  it('gives each name its kind, its type as the checker gave it, and a typed address its C type', async () => {
    const { diagnostics, declarations } = await analyzeRecipe({ name: 'r.pvm', text: RECIPE }, undefined);
    expect(diagnostics).toEqual([]);
    const described = declarations.map((d) => [d.name, d.kind, d.type, d.ctype && spell(d.ctype)]);
    expect(described).toEqual([
      ['Node', 'type', undefined, 'struct Node'],
      ['head', 'param', 'ptr', undefined],
      ['n', 'let', 'ptr', 'struct Node'],
      ['i', 'loop', 'int', undefined],
      ['v', 'let', 'int', undefined],
      ['big', 'let', 'int', undefined],
      ['small', 'let', 'int', undefined],
      ['r', 'let', 'region', undefined],
    ]);
  });

  it('knows where each name is visible: after its statement, to the end of its block', async () => {
    const { declarations } = await analyzeRecipe({ name: 'r.pvm', text: RECIPE }, undefined);
    const visible = (at: string, plus = 0) => namesVisibleAt(declarations, RECIPE.indexOf(at) + plus).map((d) => d.name);
    expect(visible('param head')).toEqual([]);
    expect(visible('let n')).toEqual(['head']);
    expect(visible('let big')).toEqual(['head', 'n', 'i', 'v']);
    expect(visible('let small', 5)).toEqual(['head', 'n', 'i', 'v']);
    expect(visible('let r')).toEqual(['head', 'n']);
    expect(declarationAt(declarations, 'v', RECIPE.indexOf('v > 2'))?.span.start).toBe(RECIPE.indexOf('v = n'));
    expect(declarationAt(declarations, 'Node', RECIPE.indexOf('as Node') + 3)?.kind).toBe('type');
  });

  it("gives the checker's diagnostics, the same as compiling the recipe", async () => {
    const text = `${RECIPE}print nn + q\nwrite u8 at r = 300\n`;
    const { diagnostics } = await analyzeRecipe({ name: 'r.pvm', text }, undefined);
    let thrown: InvalidRecipe | undefined;
    try {
      compileSource({ name: 'r.pvm', text });
    } catch (error) {
      thrown = error as InvalidRecipe;
    }
    expect(diagnostics.map(({ severity: _, ...d }) => d)).toEqual(thrown!.diagnostics);
    expect(diagnostics.every((d) => d.severity === 'error')).toBe(true);
  });

  it('counts the errors past the first 100, as pvm check does, in one more diagnostic', async () => {
    const text = Array.from({ length: 130 }, (_, i) => `print nope${i}`).join('\n');
    const { diagnostics } = await analyzeRecipe({ name: 'r.pvm', text }, undefined);
    expect(diagnostics).toHaveLength(101);
    expect(diagnostics.at(-1)).toMatchObject({ code: 'invalid-recipe', severity: 'information', message: 'and 30 more errors not shown', span: diagnostics.at(-2)!.span });
  });

  it('makes a type from debug info, without a target, information; the rest is checked', async () => {
    const text = 'let m = 0x10 as struct malloc_state\nprint m.top + sizeof(struct malloc_state)\nprint nope\n';
    const { diagnostics } = await analyzeRecipe({ name: 'r.pvm', text }, undefined);
    expect(diagnostics.map((d) => [d.code, d.severity, text.slice(d.span.start, d.span.end)])).toEqual([
      ['no-type', 'information', 'struct malloc_state'],
      ['no-type', 'information', 'struct malloc_state'],
      ['unknown-name', 'error', 'nope'],
    ]);
  });
});

describe('names while typing', () => {
  it("ends a then-block's names at its brace: an else, even an empty one, and the `} else {` line do not see them", async () => {
    const text = 'let x = 1\nif x > 0 {\n  let inThen = 2  # ends here\n} else {\n  \n}\n';
    const { diagnostics, declarations } = await analyzeRecipe({ name: 'r.pvm', text }, undefined);
    expect(diagnostics).toEqual([]);
    const visible = (offset: number) => namesVisibleAt(declarations, offset).map((d) => d.name);
    expect(visible(text.indexOf('# ends'))).toEqual(['x', 'inThen']);
    expect(visible(text.indexOf('} else') + 1)).toEqual(['x']);
    expect(visible(text.indexOf('\n  \n') + 3)).toEqual(['x']);
    expect(declarationAt(declarations, 'inThen', text.indexOf('\n  \n') + 3)).toBeUndefined();
  });

  it('declares a name the checker refused as a redefinition once, as the one it already is', async () => {
    const text = 'let x = 1\nif x > 0 {\n  let x = "inner"\n  print x\n}\n';
    const { diagnostics, declarations } = await analyzeRecipe({ name: 'r.pvm', text }, undefined);
    expect(diagnostics.map((d) => d.code)).toEqual(['redefined']);
    expect(declarations.map((d) => [d.name, d.type])).toEqual([['x', 'int']]);
    expect(namesVisibleAt(declarations, text.indexOf('print x')).map((d) => d.name)).toEqual(['x']);
  });

  it("keeps the checker's error and did-you-mean for a misspelt type the recipe declares, without a target", async () => {
    const text = 'struct Player {\n  level: u32\n}\nlet p = 0x1000 as Playr\nlet m = 0x10 as struct malloc_state\n';
    const { diagnostics } = await analyzeRecipe({ name: 'r.pvm', text }, undefined);
    expect(diagnostics.map((d) => [d.code, d.severity, d.message, d.hint])).toEqual([
      ['no-type', 'error', "the recipe declares no type 'Playr'", "did you mean 'Player'?"],
      ['no-type', 'information', "'struct malloc_state' is not declared in the recipe: it comes from the target's debug info", expect.stringContaining('# pvm: --pid N')],
    ]);
  });

  /** The declarations a hover or completion at `at` (a needle, plus) is answered from, `text` being half written. */
  const whileTyping = async (text: string, at: string, plus = 0) => {
    const { diagnostics } = await analyzeRecipe({ name: 'r.pvm', text }, undefined);
    const syntax = diagnostics.filter((d) => d.code === 'syntax').map((d) => d.span);
    expect(syntax.length).toBeGreaterThan(0);
    const offset = text.indexOf(at) + plus;
    return { offset, ...(await declarationsWhileTyping('r.pvm', text, offset, syntax, undefined)) };
  };

  it("reads a half-written line's recipe without it, every offset the text's own", async () => {
    const text = 'let alpha = 1\nlet beta = 2\nprint alpha, beta\nprint (';
    const { offset, declarations } = await whileTyping(text, 'print (', 7);
    expect(namesVisibleAt(declarations, offset).map((d) => d.name)).toEqual(['alpha', 'beta']);
    expect(definitionAt(text, text.indexOf('beta\nprint ('), declarations)).toEqual({ start: text.indexOf('beta ='), end: text.indexOf('beta =') + 4 });
  });

  it('keeps the line of a name hovered elsewhere while another line is half written', async () => {
    const text = 'let alpha = 1\nlet beta = 2\nprint (';
    const { offset, declarations, anyLine } = await whileTyping(text, 'alpha', 2);
    expect(declarationAt(declarations, 'alpha', offset)?.type).toBe('int');
    // Read without the error's line alone: the same for a cursor on any line of this text.
    expect(anyLine).toBe(true);
  });

  it('reads a block being typed, its brace not closed yet, up to the cursor', async () => {
    const text = 'let a = 1\nlet b = 2\nif a > 0 {\n  let c = a\n  print ';
    const { offset, declarations, anyLine } = await whileTyping(text, 'print ', 6);
    expect(namesVisibleAt(declarations, offset).map((d) => d.name)).toEqual(['a', 'b', 'c']);
    expect(anyLine).toBe(false);
  });

  it('reads a recipe with a syntax error on another line without that line', async () => {
    const text = 'param limit: int = 3\nlet x = 1   # x is the count\nprint x\n';
    const { offset, declarations } = await whileTyping(text, 'print x', 6);
    expect(declarationAt(declarations, 'x', offset)?.span.start).toBe(text.indexOf('x = 1'));
  });

  it('gives no names rather than wrong ones when nothing it tries parses', async () => {
    // Without the `if` line that does not parse, its block's `}` is one too many.
    const text = 'let a = 1\nif a > {\n  let b = 2\n}\nprint a +';
    const { declarations } = await whileTyping(text, 'a +', 1);
    expect(declarations).toEqual([]);
  });
});

describe('comments and strings are prose', () => {
  const text = 'let x = 1   # x is the count; see symbol("a")\nprint "x and lim", x\n';
  it('have no hover and no definition', async () => {
    const { declarations } = await analyzeRecipe({ name: 'r.pvm', text }, undefined);
    for (const at of [text.indexOf('x is'), text.indexOf('symbol("a")') + 1, text.indexOf('x and'), text.indexOf('lim"')]) {
      expect(hoverAt(text, at, declarations)).toBeUndefined();
      expect(definitionAt(text, at, declarations)).toBeUndefined();
    }
    // The code around them still answers.
    expect(hoverAt(text, text.lastIndexOf('x'), declarations)?.markdown).toContain('let x: int');
  });
});

describe('completion', () => {
  it('knows a module argument, a symbol argument, a comment and a string', () => {
    const at = (text: string) => completionContext(text, text.length);
    expect(at('let m = module("li')).toEqual({ kind: 'module', typed: 'li' });
    expect(at('let s = symbol("lib')).toEqual({ kind: 'module', typed: 'lib' });
    expect(at('let s = symbol("libc.so.6", "mall')).toEqual({ kind: 'symbol', module: 'libc.so.6', typed: 'mall' });
    expect(at('print 1 # let')).toEqual({ kind: 'none' });
    expect(at('# see module("')).toEqual({ kind: 'none' });
    expect(at('let s = 1 # symbol("libc.so.6", "mall')).toEqual({ kind: 'none' });
    expect(at('print "a # b", "le')).toEqual({ kind: 'none' });
    expect(at('print "a # b", le')).toEqual({ kind: 'code', line: 'print "a # b", le' });
  });

  it("offers a struct's members through pointers, a region's fields, and types where types go", async () => {
    const { declarations } = await analyzeRecipe({ name: 'r.pvm', text: RECIPE }, undefined);
    const end = RECIPE.length;
    expect(codeCompletions('print n.', end, declarations).map((c) => c.label)).toEqual(['value', 'next']);
    expect(codeCompletions('print n.next.next.', end, declarations).map((c) => c.label)).toEqual(['value', 'next']);
    expect(codeCompletions('print n.value.', end, declarations)).toEqual([]);
    expect(codeCompletions('print r.s', end, declarations).map((c) => c.label)).toEqual(['start', 'end', 'size']);
    const types = codeCompletions('let x = head as ', end, declarations).map((c) => c.label);
    expect(types[0]).toBe('Node');
    expect(types).toContain('u64');
    expect(types).not.toContain('print');
  });
});
