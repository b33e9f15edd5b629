// `npm run editors`: writes editors/pvm.tmLanguage.json (see tmlanguage.mjs),
// and the VS Code extension's copies of it and of the LICENSE
// (editors/vscode/: vsce packages only what is in the extension's folder).
import { copyFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmLanguage } from './tmlanguage.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const { ESCAPES, KEYWORDS, WORDS } = await import(`${root}dist/dsl/grammar-words.js`);
const { TYPE_NAMES } = await import(`${root}dist/dsl/types.js`);
const { BUILTINS } = await import(`${root}dist/dsl/builtins.js`);
const grammar = `${JSON.stringify(tmLanguage({ keywords: KEYWORDS, words: WORDS, escapes: Object.keys(ESCAPES), types: TYPE_NAMES, builtins: BUILTINS.keys() }), null, 2)}\n`;
for (const path of ['editors/pvm.tmLanguage.json', 'editors/vscode/syntaxes/pvm.tmLanguage.json']) {
  writeFileSync(`${root}${path}`, grammar);
  console.log(`wrote ${path}`);
}
copyFileSync(`${root}LICENSE`, `${root}editors/vscode/LICENSE`);
console.log('wrote editors/vscode/LICENSE');
