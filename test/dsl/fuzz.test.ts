// Issue 16, item 18 (the short tier): seeded mutations of every recipe in the
// repository through check, compile and the plan printer. Each must compile
// or be refused with a PvmError (exit 2), never crash (exit 70), and finish
// quickly. Deterministic: the same mutations every run.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../../src/dsl/compile-source.ts';
import { PvmError } from '../../src/errors.ts';
import { printPlan } from '../../src/plan/print.ts';
import { ROOT } from '../helpers/paths.ts';
import { cpuMillis } from '../helpers/cpu-time.ts';

const corpus = ['examples', 'test/cli/recipes', 'test/golden/plan', 'test/golden/diagnostics'].flatMap((dir) =>
  readdirSync(`${ROOT}${dir}`)
    .filter((name) => name.endsWith('.pvm'))
    .map((name) => readFileSync(`${ROOT}${dir}/${name}`, 'utf8'))
);

/** xorshift32: the same sequence on every runtime and every run. */
function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 2 ** 32;
  };
}

const PIECES = [
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  '"',
  '\\',
  '#',
  '\n',
  ';',
  ' ',
  '0x',
  '0xffffffffffffffff',
  '-',
  '*',
  '<<',
  '..',
  'hex"',
  '??',
  '~',
  'limit ',
  'scan ',
  'read u8 at ',
  'for i in 0..',
  'if ',
  'else ',
  'patch ',
  'expect ',
  'with ',
  'symbol(',
  'module(',
  '\u00a0',
  '\ufeff',
  '\u0000',
  '9'.repeat(40),
  'é',
];

function mutate(text: string, next: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(next() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(next() * (out.length + 1));
    const choice = next();
    if (choice < 0.4) out = out.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)]! + out.slice(at);
    else if (choice < 0.7) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(next() * 8));
    else {
      const from = Math.floor(next() * out.length);
      out = out.slice(0, at) + out.slice(from, from + Math.floor(next() * 40)) + out.slice(at);
    }
  }
  return out;
}

describe('mutated recipes', () => {
  it(`compile or are refused with a clear error: ${corpus.length} recipes × 40 mutations`, () => {
    const next = random(20261126);
    const started = cpuMillis();
    let refused = 0;
    for (const text of corpus) {
      for (let i = 0; i < 40; i++) {
        const mutated = mutate(text, next);
        const caseStarted = cpuMillis();
        try {
          printPlan(compileSource({ name: 'm.pvm', text: mutated }));
        } catch (error) {
          if (!(error instanceof PvmError)) throw new Error(`a crash, not a diagnostic, on:\n${mutated}\n${(error as Error).stack}`);
          refused++;
        }
        expect(cpuMillis() - caseStarted, `slow on:\n${mutated}`).toBeLessThan(2000);
      }
    }
    expect(refused).toBeGreaterThan(0);
    expect(cpuMillis() - started).toBeLessThan(60_000);
  });
});
