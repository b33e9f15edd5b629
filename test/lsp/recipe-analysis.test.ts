// What the language server learns of a recipe from one compile: the
// checker's diagnostics, and each name with where it is visible and the type
// the checker (and the type pass) gave it. And what completion offers where.
import { describe, expect, it } from 'vitest';
import { analyzeRecipe, declarationAt, namesVisibleAt } from '../../src/lsp/recipe-analysis.ts';
import { codeCompletions, completionContext } from '../../src/lsp/completion.ts';
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

describe('completion', () => {
  it('knows a module argument, a symbol argument, a comment and a string', () => {
    const at = (text: string) => completionContext(text, text.length);
    expect(at('let m = module("li')).toEqual({ kind: 'module', typed: 'li' });
    expect(at('let s = symbol("lib')).toEqual({ kind: 'module', typed: 'lib' });
    expect(at('let s = symbol("libc.so.6", "mall')).toEqual({ kind: 'symbol', module: 'libc.so.6', typed: 'mall' });
    expect(at('print 1 # let')).toEqual({ kind: 'none' });
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
