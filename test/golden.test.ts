// `pvm plan` and `pvm check` output against the golden files beside each
// recipe in test/golden/. Regenerate with `npm run golden` and review the diff.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script, shared with `npm run golden`
import { actualOutput, goldenCases } from '../scripts/golden.mjs';
import { ROOT } from './helpers/paths.ts';

describe('golden files', () => {
  for (const { recipe, command, expected } of goldenCases() as { recipe: string; command: string; expected: string }[]) {
    it(`pvm ${command} ${recipe}`, () => {
      expect(actualOutput(command, recipe)).toBe(readFileSync(`${ROOT}${expected}`, 'utf8'));
    });
  }
});
