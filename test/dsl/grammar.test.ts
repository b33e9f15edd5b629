// grammar.ohm is the one source of the language's syntax. What can be derived
// from it is generated (`npm run grammar`: Ohm's prebuilt grammar, and the
// words and operators the fast parser, the REPL and the editor grammar use);
// the fast parser's structure is held to Ohm's trees by fast-parse.test.ts;
// and this test names every other place a change to the grammar must reach.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCALAR_TYPES, WORDS } from '../../src/dsl/grammar-words.ts';
import { scalarType, TYPE_NAMES } from '../../src/dsl/types.ts';
import { ROOT } from '../helpers/paths.ts';

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

  it('has no word docs/language.md does not show in code (the scalar types it shows as a table, `u16be … i64be`)', () => {
    expect(WORDS.size).toBeGreaterThan(40); // gen-grammar.mjs finds the words: the test is not vacuous
    const language = readFileSync(`${ROOT}docs/language.md`, 'utf8');
    const undocumented = [...WORDS].filter((word) => !SCALAR_TYPES.has(word) && !new RegExp(`\`[^\`\n]*\\b${word}\\b[^\`\n]*\``).test(language));
    expect(undocumented).toEqual([]);
  });
});
