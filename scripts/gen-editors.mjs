// `npm run editors`: writes editors/pvm.tmLanguage.json (see tmlanguage.mjs).
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmLanguage } from './tmlanguage.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { ESCAPES, KEYWORDS, WORDS } = await import(`${root}dist/dsl/grammar-words.js`);
const { TYPE_NAMES } = await import(`${root}dist/dsl/types.js`);
const { BUILTINS } = await import(`${root}dist/dsl/builtins.js`);
writeFileSync(`${root}editors/pvm.tmLanguage.json`, `${JSON.stringify(tmLanguage({ keywords: KEYWORDS, words: WORDS, escapes: Object.keys(ESCAPES), types: TYPE_NAMES, builtins: BUILTINS.keys() }), null, 2)}\n`);
console.log('wrote editors/pvm.tmLanguage.json');
