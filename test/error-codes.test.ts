// docs/errors.md is the table of error codes, made by `npm run errors`: it may not fall behind.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { errorCodesPage } from '../src/error-codes.ts';
import { ROOT } from './helpers/paths.ts';

it('docs/errors.md lists every error code, as src/error-codes.ts has them (run `npm run errors`)', () => {
  expect(readFileSync(`${ROOT}docs/errors.md`, 'utf8')).toBe(errorCodesPage());
});
