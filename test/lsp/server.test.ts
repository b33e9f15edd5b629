// pvm lsp driven over stdio by a JSON-RPC client, as an editor drives it:
// the checker's diagnostics as a recipe is typed and fixed, hover, completion
// and go to definition, and a server that survives bad input.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { type LspClient, positionOf, startLsp, uriOf } from './lsp-client.ts';
import { pvm } from '../helpers/cli.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

let client: LspClient;
beforeAll(async () => {
  client = await startLsp('node');
});
afterAll(async () => {
  expect(await client.stop()).toBe(0);
});

const RECIPE = `struct Player {
  level: u32
  gold: u64
  next: Player*
}
param base: ptr = 0x1000
let p = base as Player
let level = p.level
for i in 0..3 {
  let doubled = i * 2
  print doubled
}
print level, len(threads())
`;

describe('diagnostics', () => {
  it("are the checker's, as pvm check --json gives them, with the hint; a fix clears them", async () => {
    const broken = RECIPE.replace('print level,', 'print levle,');
    const diagnostics = await client.open('diagnostics.pvm', broken);
    const dir = mkdtempSync(`${tmpdir()}/pvm-lsp-`);
    writeFileSync(`${dir}/broken.pvm`, broken);
    const check = JSON.parse(pvm('node', ['check', `${dir}/broken.pvm`, '--json']).stdout.trim());
    expect(diagnostics).toHaveLength(1);
    const [d] = diagnostics;
    expect(d).toMatchObject({ code: check.code, source: 'pvm', severity: DiagnosticSeverity.Error });
    expect(d!.code).toBe('unknown-name');
    // LSP positions count from 0; pvm's lines and columns from 1, its end exclusive as LSP's.
    expect(d!.range).toEqual({ start: { line: check.line - 1, character: check.col - 1 }, end: { line: check.endLine - 1, character: check.endCol - 1 } });
    expect(d!.range).toEqual({ start: positionOf(broken, 'levle'), end: positionOf(broken, 'levle', 5) });
    expect(d!.message).toBe(`${check.message}\nhint: ${check.hint}`);
    expect(check.hint).toBe("did you mean 'level'?");
    expect(await client.change('diagnostics.pvm', RECIPE)).toEqual([]);
  });

  it('report a syntax error where it is, and every error of a recipe at once', async () => {
    const text = 'let a = 1 +\nprint b\n';
    const diagnostics = await client.open('syntax.pvm', text);
    expect(diagnostics.map((d) => d.code)).toContain('syntax');
    const fixed = await client.change('syntax.pvm', 'let a = 1\nprint b\nprint c\n');
    expect(fixed.map((d) => [d.code, d.range.start.line])).toEqual([['unknown-name', 1], ['unknown-name', 2]]);
  });

  it('say a type from debug info is checked only against a target: information, not an error', async () => {
    const text = 'let m = 0x1000 as struct malloc_state\nprint m.top\nprint nope\n';
    const diagnostics = await client.open('debug-types.pvm', text);
    const byLine = diagnostics.map((d) => [d.range.start.line, d.severity, d.code]);
    expect(byLine).toEqual([[0, DiagnosticSeverity.Information, 'no-type'], [2, DiagnosticSeverity.Error, 'unknown-name']]);
    expect(diagnostics[0]!.message).toContain('# pvm: --pid N');
  });

  it('count positions in UTF-16 units, as the protocol does', async () => {
    const text = 'print "héllo 😀", nope\n';
    const [d] = await client.open('utf16.pvm', text);
    expect(d!.range.start).toEqual({ line: 0, character: text.indexOf('nope') });
  });
});

describe('hover', () => {
  beforeAll(async () => {
    expect(await client.open('hover.pvm', RECIPE)).toEqual([]);
  });

  it("shows a let's type, and the layout of what a typed address points at", async () => {
    const hover = await client.hover('hover.pvm', positionOf(RECIPE, 'let level', 5));
    expect(hover?.contents).toMatchObject({ kind: 'markdown' });
    const text = (hover!.contents as { value: string }).value;
    expect(text).toContain('let level: int');
    expect(text).toContain('a number');
    const typed = ((await client.hover('hover.pvm', positionOf(RECIPE, 'let p', 4)))!.contents as { value: string }).value;
    expect(typed).toContain('the address of struct Player');
    expect(typed).toContain('u64 gold;');
  });

  it("shows a param's and a loop variable's type where they are used", async () => {
    const param = ((await client.hover('hover.pvm', positionOf(RECIPE, 'base as', 1)))!.contents as { value: string }).value;
    expect(param).toContain('param base: ptr');
    const loop = ((await client.hover('hover.pvm', positionOf(RECIPE, 'i * 2')))!.contents as { value: string }).value;
    expect(loop).toContain('for i: int');
  });

  it("shows a struct's layout as pvm types does, and a member's place", async () => {
    const struct = ((await client.hover('hover.pvm', positionOf(RECIPE, 'Player {', 2)))!.contents as { value: string }).value;
    expect(struct).toContain('type = struct Player {');
    expect(struct).toMatch(/\/\*\s+8\s+\|\s+8 \*\/\s+u64 gold;/);
    expect(struct).toContain('/* total size (bytes):   24 */');
    const member = ((await client.hover('hover.pvm', positionOf(RECIPE, 'p.level', 3)))!.contents as { value: string }).value;
    expect(member).toContain('u32 level;');
    expect(member).toContain('at offset 0, 4 bytes');
  });

  it("shows a builtin's signature", async () => {
    const hover = await client.hover('hover.pvm', positionOf(RECIPE, 'threads()', 2));
    const text = (hover!.contents as { value: string }).value;
    expect(text).toContain('threads()');
    const len = ((await client.hover('hover.pvm', positionOf(RECIPE, 'len(')))!.contents as { value: string }).value;
    expect(len).toContain('len(value)');
    expect(len).toContain('e.g. `len(hits)`');
  });

  it('says nothing of a keyword or a space', async () => {
    expect(await client.hover('hover.pvm', positionOf(RECIPE, 'print level'))).toBeNull();
    expect(await client.hover('hover.pvm', { line: 4, character: 1 })).toBeNull();
  });
});

describe('completion', () => {
  it('offers keywords, builtins, types and the names in scope where the cursor is', async () => {
    const text = `${RECIPE}pr`;
    await client.open('complete.pvm', text);
    const { labels } = await client.complete('complete.pvm', positionOf(text, '\npr', 3));
    expect(labels).toEqual(expect.arrayContaining(['print', 'let', 'for', 'scan', 'level', 'p', 'base', 'symbol', 'module', 'u32', 'cstring', 'Player']));
    // Not a loop's variable nor a name its body declares, outside the loop.
    expect(labels).not.toContain('i');
    expect(labels).not.toContain('doubled');
    const inLoop = await client.complete('complete.pvm', positionOf(text, 'print doubled', 6));
    expect(inLoop.labels).toEqual(expect.arrayContaining(['i', 'doubled', 'level']));
  });

  it("offers a struct's fields after p., while the line does not parse yet", async () => {
    const text = `${RECIPE}print p.`;
    const diagnostics = await client.open('fields.pvm', text);
    expect(diagnostics.map((d) => d.code)).toEqual(['syntax']);
    const { labels } = await client.complete('fields.pvm', positionOf(text, 'print p.', 8));
    expect(labels).toEqual(['level', 'gold', 'next']);
    const chained = `${RECIPE}print p.next.g`;
    await client.change('fields.pvm', chained);
    expect((await client.complete('fields.pvm', positionOf(chained, 'p.next.g', 8))).labels).toEqual(['level', 'gold', 'next']);
  });

  it("offers a region's fields, and types after as", async () => {
    const text = 'let r = region("[heap]")\nprint r.\nstruct Node {\n  v: u8\n}\n';
    await client.open('region.pvm', text);
    expect((await client.complete('region.pvm', positionOf(text, 'r.', 2))).labels).toEqual(['start', 'end', 'size']);
    const cast = text.replace('print r.', 'let q = 0 as ');
    await client.change('region.pvm', cast);
    const types = (await client.complete('region.pvm', positionOf(cast, 'as ', 3))).labels;
    expect(types).toEqual(expect.arrayContaining(['Node', 'u32']));
    expect(types).not.toContain('print');
  });

  it('offers nothing in a comment, and no module names without a target', async () => {
    const text = '# a comment pr\nlet m = module("li';
    await client.open('comment.pvm', text);
    expect((await client.complete('comment.pvm', positionOf(text, 'pr', 2))).labels).toEqual([]);
    expect((await client.complete('comment.pvm', positionOf(text, '"li', 3))).labels).toEqual([]);
  });
});

describe('go to definition', () => {
  beforeAll(async () => {
    await client.open('definition.pvm', RECIPE);
  });

  it('jumps from a use to its let, param, loop variable or struct', async () => {
    const at = async (position: ReturnType<typeof positionOf>) => (await client.definition('definition.pvm', position))?.range.start;
    expect(await at(positionOf(RECIPE, 'print level', 7))).toEqual(positionOf(RECIPE, 'level = p'));
    expect(await at(positionOf(RECIPE, 'base as', 1))).toEqual(positionOf(RECIPE, 'base: ptr'));
    expect(await at(positionOf(RECIPE, 'i * 2'))).toEqual(positionOf(RECIPE, 'i in'));
    expect(await at(positionOf(RECIPE, 'as Player', 4))).toEqual(positionOf(RECIPE, 'Player {'));
    const location = await client.definition('definition.pvm', positionOf(RECIPE, 'print doubled', 7));
    expect(location?.uri).toBe(uriOf('definition.pvm'));
  });

  it('finds none for a member, a keyword or a builtin', async () => {
    expect(await client.definition('definition.pvm', positionOf(RECIPE, 'p.level', 3))).toBeNull();
    expect(await client.definition('definition.pvm', positionOf(RECIPE, 'print level', 1))).toBeNull();
    expect(await client.definition('definition.pvm', positionOf(RECIPE, 'len('))).toBeNull();
  });
});

describe('while typing', () => {
  it('answers nothing for a word in a comment or a string', async () => {
    const text = 'let x = 1   # x is the count; see symbol("a")\nprint "x and lim", x\n';
    await client.open('prose.pvm', text);
    for (const at of [positionOf(text, 'x is'), positionOf(text, 'symbol("a")', 1), positionOf(text, 'x and'), positionOf(text, 'lim"')]) {
      expect(await client.hover('prose.pvm', at)).toBeNull();
      expect(await client.definition('prose.pvm', at)).toBeNull();
    }
    expect((await client.definition('prose.pvm', positionOf(text, ', x', 2)))?.range.start).toEqual(positionOf(text, 'x = 1'));
  });

  it('jumps to the definition in the text as it is, after an edit that moved lines, while a line does not parse', async () => {
    const before = '# one\n# two\n# three\nlet alpha = 1\nlet beta = 2\nprint alpha, beta\n';
    expect(await client.open('moved.pvm', before)).toEqual([]);
    const after = 'let alpha = 1\nlet beta = 2\nprint alpha, beta\nprint (';
    await client.change('moved.pvm', after);
    expect((await client.definition('moved.pvm', positionOf(after, 'beta\nprint (')))?.range.start).toEqual(positionOf(after, 'beta ='));
    const names = (await client.complete('moved.pvm', positionOf(after, 'print (', 7))).labels;
    expect(names).toEqual(expect.arrayContaining(['alpha', 'beta']));
  });

  it('offers the names of a block being typed, and none of a then-block in its else', async () => {
    const typing = 'let a = 1\nlet b = 2\nif a > 0 {\n  let inThen = 2\n} else {\n  print ';
    await client.open('else.pvm', typing);
    const inElse = (await client.complete('else.pvm', positionOf(typing, 'print ', 6))).labels;
    expect(inElse).toEqual(expect.arrayContaining(['a', 'b']));
    expect(inElse).not.toContain('inThen');
    const empty = 'let a = 1\nif a > 0 {\n  let inThen = 2\n} else {\n  \n}\n';
    expect(await client.change('else.pvm', empty)).toEqual([]);
    expect((await client.complete('else.pvm', positionOf(empty, '\n  \n', 3))).labels).not.toContain('inThen');
  });

  it("says a misspelt declared type is an error, with the checker's did-you-mean", async () => {
    const text = 'struct Player {\n  level: u32\n}\nlet p = 0x1000 as Playr\n';
    const [d] = await client.open('typo.pvm', text);
    expect(d).toMatchObject({ code: 'no-type', severity: DiagnosticSeverity.Error, message: "the recipe declares no type 'Playr'\nhint: did you mean 'Player'?" });
  });

  it('publishes only the last of keystrokes that come together (the others are skipped, not analyzed)', async () => {
    const big = Array.from({ length: 3000 }, (_, i) => `let v${i} = ${i} + 1`).join('\n');
    expect(await client.open('superseded.pvm', big)).toEqual([]);
    // Keystrokes that come together: only the last one's diagnostics are worked out.
    for (let i = 0; i < 5; i++) await client.type('superseded.pvm', `${big}\nprint v${i}\n`);
    const [d] = await client.change('superseded.pvm', `${big}\nprint nope\n`);
    expect(d?.code).toBe('unknown-name');
    // Once each: a change's handler publishes its own version or nothing, never the next one's again.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(client.publishedVersions('superseded.pvm')).toEqual([1, 7]);
  });
});

describe('bad input', () => {
  it('never ends the server: requests about unknown documents, positions past the end, garbage text', async () => {
    expect(await client.hover('never-opened.pvm', { line: 0, character: 0 })).toBeNull();
    const garbage = '\u0000{{{{ ]]] "\\x 😀 let let let\n'.repeat(50);
    const diagnostics = await client.open('garbage.pvm', garbage);
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(await client.hover('garbage.pvm', { line: 999, character: 999 })).toBeNull();
    expect((await client.complete('garbage.pvm', { line: 3, character: 4 })).labels.length).toBeGreaterThanOrEqual(0);
    await expect(client.connection.sendRequest('textDocument/hover', { textDocument: { uri: 42 }, position: null })).resolves.toBeNull();
    // Still answering.
    expect(await client.change('garbage.pvm', 'print 1\n')).toEqual([]);
  });
});

describe('ending', () => {
  it('exits when stdin closes, without shutdown (status 1, as the protocol says), leaving nothing running', async () => {
    const server = await startLsp('node');
    const exited = new Promise<number | null>((resolve) => server.child.on('exit', resolve));
    server.child.stdin!.end();
    expect(await exited).toBe(1);
  });
});
