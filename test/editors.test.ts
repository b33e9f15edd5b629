// Issue 15, item 5: editors/pvm.tmLanguage.json is up to date with the
// language's keywords, types and builtins, and tokenises every example recipe
// as an editor would (vscode-textmate, the engine of VS Code): comments,
// strings, numbers, keywords, types and builtin calls each get their scope,
// and nothing else is left without one.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import { type IGrammar, INITIAL, Registry } from 'vscode-textmate';
import { random, recipeGenerator } from '../scripts/recipe-generator.mjs';
import { contextual, tmLanguage } from '../scripts/tmlanguage.mjs';
import { EVERY_CONSTRUCT } from './helpers/constructs.ts';
import { BUILTINS } from '../src/dsl/builtins.ts';
import { ESCAPES, KEYWORDS, WORDS } from '../src/dsl/grammar-words.ts';
import { TYPE_NAMES } from '../src/dsl/types.ts';
import { pvm } from './helpers/cli.ts';
import { ROOT } from './helpers/paths.ts';

const GRAMMAR_PATH = `${ROOT}editors/pvm.tmLanguage.json`;
/** The grammar's words read as keywords only in their place (`scan … unique`). */
const CONTEXTUAL = contextual({ keywords: KEYWORDS, words: WORDS, types: TYPE_NAMES });

/** Every recipe the project ships or tests with. */
function recipes(): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.pvm')) found.push(join(dir, entry.name));
    }
  };
  walk(`${ROOT}examples`);
  walk(`${ROOT}test/cli/recipes`);
  return found;
}

let grammar: IGrammar;
beforeAll(async () => {
  const require = createRequire(import.meta.url);
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new Registry({
    onigLib: Promise.resolve({ createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns), createOnigString: (text) => new oniguruma.OnigString(text) }),
    loadGrammar: () => Promise.resolve(JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8'))),
  });
  grammar = (await registry.loadGrammar('source.pvm'))!;
});

it('is generated from the language itself (npm run editors)', () => {
  const expected = tmLanguage({ keywords: KEYWORDS, words: WORDS, escapes: Object.keys(ESCAPES), types: TYPE_NAMES, builtins: BUILTINS.keys() });
  expect(JSON.parse(readFileSync(GRAMMAR_PATH, 'utf8')), 'editors/pvm.tmLanguage.json is stale: run npm run editors').toEqual(expected);
});

it("the VS Code extension's copies of the grammar and the LICENSE are the same bytes (npm run editors writes them)", () => {
  expect(readFileSync(`${ROOT}editors/vscode/syntaxes/pvm.tmLanguage.json`, 'utf8'), 'editors/vscode/syntaxes is stale: run npm run editors').toBe(readFileSync(GRAMMAR_PATH, 'utf8'));
  expect(readFileSync(`${ROOT}editors/vscode/LICENSE`, 'utf8'), 'editors/vscode/LICENSE is stale: run npm run editors').toBe(readFileSync(`${ROOT}LICENSE`, 'utf8'));
  const manifest = JSON.parse(readFileSync(`${ROOT}editors/vscode/package.json`, 'utf8'));
  expect(manifest.contributes.grammars).toEqual([{ language: 'pvm', scopeName: 'source.pvm', path: './syntaxes/pvm.tmLanguage.json' }]);
  expect(manifest.activationEvents).toEqual(['onLanguage:pvm']);
});

/** Each character's innermost scope, line by line. */
function scopesOf(text: string): string[][] {
  let state = INITIAL;
  return text.split('\n').map((line) => {
    const { tokens, ruleStack } = grammar.tokenizeLine(line, state);
    state = ruleStack;
    const scopes: string[] = new Array(line.length).fill('');
    for (const token of tokens) for (let i = token.startIndex; i < Math.min(token.endIndex, line.length); i++) scopes[i] = token.scopes.at(-1)!;
    return scopes;
  });
}

/** What the language itself says each word of a line is, outside strings and comments (a reference lexer). */
function expectations(line: string): { at: number; length: number; scope: string }[] {
  const found: { at: number; length: number; scope: string }[] = [];
  for (let i = 0; i < line.length;) {
    const rest = line.slice(i);
    if (rest.startsWith('#')) {
      found.push({ at: i, length: line.length - i, scope: 'comment.line.number-sign.pvm' });
      break;
    }
    const string = /^(?:hex)?"(?:[^"\\]|\\.)*"/.exec(rest);
    if (string !== null) {
      found.push({ at: i + (rest.startsWith('hex') ? 4 : 1), length: 0, scope: 'string.quoted.double' });
      i += string[0].length;
      continue;
    }
    const number = /^(?:0x[0-9A-Fa-f_]+|0b[01_]+|[0-9][0-9_]*(?:\.[0-9]+)?)\b/.exec(rest);
    if (number !== null && (i === 0 || !/[A-Za-z0-9_]/.test(line[i - 1]!))) {
      found.push({ at: i, length: number[0].length, scope: 'constant.numeric.pvm' });
      i += number[0].length;
      continue;
    }
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word !== null) {
      const w = word[0];
      const call = /^\s*\(/.test(line.slice(i + w.length));
      const scope = w === 'true' || w === 'false'
        ? 'constant.language.boolean.pvm'
        : KEYWORDS.has(w)
        ? 'keyword.'
        : TYPE_NAMES.includes(w) || w === 'list'
        ? 'storage.type'
        : BUILTINS.has(w) && call
        ? 'support.function.builtin.pvm'
        : CONTEXTUAL.includes(w)
        ? 'keyword.other.modifier.pvm'
        : 'variable.other.pvm';
      found.push({ at: i, length: w.length, scope });
      i += w.length;
      continue;
    }
    if (!/\s/.test(line[i]!)) found.push({ at: i, length: 1, scope: 'keyword.operator|punctuation' });
    i++;
  }
  return found;
}

/** Checks each word and sign of `text` against what the reference lexer says it is. */
function expectTokenised(text: string, path: string): void {
  const scopes = scopesOf(text);
  text.split('\n').forEach((line, n) => {
    for (const { at, length, scope } of expectations(line)) {
      const got = scopes[n]![at] ?? '';
      const where = `${path}:${n + 1}:${at + 1} '${line.slice(at, at + Math.max(length, 1))}'`;
      if (scope === 'keyword.operator|punctuation') expect(got, where).toMatch(/^(keyword\.operator|punctuation)/);
      else if (length === 0) expect(got, where).toMatch(new RegExp(`^(${scope}|constant\\.)`)); // inside a string: the string, or an escape or pattern part
      else expect(got.startsWith(scope) && scopes[n]!.slice(at, at + length).every((s) => s === got), `${where}: ${got}, not ${scope}`).toBe(true);
    }
  });
}

describe('the TextMate grammar tokenises', () => {
  it.each(recipes().map((path) => [path.slice(ROOT.length), path]))('%s', (_name, path) => {
    expectTokenised(readFileSync(path, 'utf8'), path);
  });

  it('every construct of the language, and 200 generated recipes', () => {
    EVERY_CONSTRUCT.forEach((text, i) => expectTokenised(text, `construct ${i}`));
    const next = random(15);
    const generate = recipeGenerator(next, ['0x10000', '0x7fff0000']);
    for (let i = 0; i < 200; i++) expectTokenised(generate(2, 1 + next.int(6)), `generated ${i}`);
  });
});

it('pvm check --json gives each diagnostic its range, severity, code and hint, for editor integrations', () => {
  const result = pvm('node', ['check', '-', '--json'], { input: 'let n = read u24 at 0x10\nprint nope\n' });
  expect(result.status).toBe(2);
  expect(result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line))).toEqual([
    {
      type: 'error',
      code: 'unknown-type',
      exit: 2,
      message: expect.stringContaining("unknown type 'u24'"),
      where: '<stdin>:1:14',
      line: 1,
      col: 14,
      endLine: 1,
      endCol: 17,
      severity: 'error',
      hint: "did you mean 'u16' or 'u32'? (the integers are 8, 16, 32 and 64 bits)",
    },
    { type: 'error', code: 'unknown-name', exit: 2, message: "unknown name 'nope'", where: '<stdin>:2:7', line: 2, col: 7, endLine: 2, endCol: 11, severity: 'error', hint: expect.any(String) },
  ]);
});
