// Writes docs/errors.md from src/error-codes.ts (`npm run errors`); a test
// fails when the page and the table differ.
import { writeFileSync } from 'node:fs';
import { errorCodesPage } from '../dist/error-codes.js';

writeFileSync(new URL('../docs/errors.md', import.meta.url), errorCodesPage());
