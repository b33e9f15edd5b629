#!/usr/bin/env node
// pvm's entry point from source. Bun and Deno run src/ as it is, and so
// transpile and load ~140 modules at every start; when the last `npm run
// build` bundled this very src/ (prebuilt.ts checks every file it was made
// from), they run that bundle instead: Bun's with its bytecode (dist/bun),
// Node's on Deno (dist/node). Node runs dist/node/main.js, the CLI itself.
import { freshBundle } from './prebuilt.ts';

const fromSource = import.meta.url.endsWith('.ts');
const bundle = fromSource ? await freshBundle(decodeURIComponent(new URL('../../', import.meta.url).pathname)) : undefined;
// Named at run time, not as a literal: Deno loads every module a literal import() names as it starts, run or not.
await import(bundle ?? new URL(`./cli.${fromSource ? 'ts' : 'js'}`, import.meta.url).href);
