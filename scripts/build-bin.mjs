// `npm run build:bin`: dist/bin/pvm, one executable that carries its runtime
// (Bun's build --compile) and everything pvm loads. koffi cannot go in (it
// finds its native module on disk at run time), so the binary binds libc
// with Bun's own FFI: PVM_FFI is fixed to `bun` at build time (libc-bun.ts).
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
mkdirSync(`${root}dist/bin`, { recursive: true });
execFileSync(
  `${root}node_modules/.bin/bun`,
  ['build', '--compile', '--minify', '--define', 'process.env.PVM_FFI="bun"', '--external', 'koffi', `${root}src/cli/main.ts`, '--outfile', `${root}dist/bin/pvm`],
  { stdio: ['ignore', 'ignore', 'inherit'], cwd: root },
);
console.log(`built ${root}dist/bin/pvm`);
