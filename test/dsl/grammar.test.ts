// grammar.ohm is the one source of the language's syntax. What can be derived
// from it is generated (`npm run grammar`: Ohm's prebuilt grammar, and the
// words and operators the fast parser, the REPL and the editor grammar use);
// the fast parser's structure is held to Ohm's trees by fast-parse.test.ts;
// and this test names every other place a change to the grammar must reach.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as ohm from 'ohm-js';
import { grammar } from '../../src/dsl/grammar-bundle.ts';
import { KEYWORDS, SCALAR_TYPES } from '../../src/dsl/grammar-words.ts';
import { scalarType, TYPE_NAMES } from '../../src/dsl/types.ts';
import { CONTEXTUAL } from '../../scripts/tmlanguage.mjs';
import { ROOT } from '../helpers/paths.ts';

/** An Ohm parsing expression, as far as this test reads it (ohm-js's typings leave its fields out). */
interface PExpr {
  readonly obj?: unknown;
  readonly ruleName?: string;
  readonly args?: readonly PExpr[];
  readonly terms?: readonly PExpr[];
  readonly factors?: readonly PExpr[];
  readonly expr?: PExpr;
}

/** Every word the grammar matches as a word: `kw<"…">`'s, and those of the `…Word` and `…Name` rules. */
function grammarWords(): Set<string> {
  const words = new Set<string>();
  const walk = (e: PExpr, inWordRule: boolean): void => {
    if (e instanceof ohm.pexprs.Terminal) {
      if (inWordRule && typeof e.obj === 'string' && /^[a-z][a-z0-9]*$/.test(e.obj)) words.add(e.obj);
    } else if (e instanceof ohm.pexprs.Apply && e.ruleName === 'kw') walk(e.args![0]!, true);
    else for (const inner of [...(e.args ?? []), ...(e.terms ?? []), ...(e.factors ?? []), ...(e.expr === undefined ? [] : [e.expr])]) walk(inner, inWordRule);
  };
  for (const [name, rule] of Object.entries(grammar.rules)) walk(rule.body as PExpr, /(Word|Name|^keyword|^boolean|^scalarType)$/.test(name) && name !== 'typeName');
  return words;
}

describe('grammar.ohm', () => {
  it('is what the generated files were made from (npm run grammar)', () => {
    const check = spawnSync(process.execPath, [`${ROOT}scripts/gen-grammar.mjs`, '--check'], { encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it("types every scalar type the checker's type table knows (src/dsl/types.ts)", () => {
    for (const name of SCALAR_TYPES) {
      expect(scalarType(name), name).toBeDefined();
      expect(TYPE_NAMES, name).toContain(name);
    }
  });

  it('has no word the editor grammar does not colour (CONTEXTUAL in scripts/tmlanguage.mjs, or a keyword or type)', () => {
    const words = grammarWords();
    expect(words.size).toBeGreaterThan(40); // the walk finds the words: the test is not vacuous
    const unknown = [...words].filter((word) => !KEYWORDS.has(word) && !TYPE_NAMES.includes(word) && !CONTEXTUAL.includes(word));
    expect(unknown, 'add them to CONTEXTUAL in scripts/tmlanguage.mjs, then npm run editors').toEqual([]);
  });

  it('has no word docs/language.md does not show in code (the scalar types it shows as a table, `u16be … i64be`)', () => {
    const language = readFileSync(`${ROOT}docs/language.md`, 'utf8');
    const undocumented = [...grammarWords()].filter((word) => !SCALAR_TYPES.has(word) && !new RegExp(`\`[^\`\n]*\\b${word}\\b[^\`\n]*\``).test(language));
    expect(undocumented).toEqual([]);
  });
});
