// `npm run build:bin`: dist/bin/pvm, one executable that carries its runtime
// (Bun's build --compile) and everything pvm loads. koffi cannot go in (it
// finds its native module on disk at run time), so the binary binds libc
// with Bun's own FFI: PVM_FFI is fixed to `bun` at build time (libc-bun.ts).
// --bytecode stores JavaScriptCore's bytecode beside the source: the binary
// starts without parsing ~0.7 MB of JavaScript (about 30 ms instead of 60-90).
import { execFileSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
mkdirSync(`${root}dist/bin`, { recursive: true });
const next = `${root}dist/bin/pvm.next-${process.pid}`;
try {
  execFileSync(
    `${root}node_modules/.bin/bun`,
    ['build', '--compile', '--bytecode', '--minify', '--define', 'process.env.PVM_FFI="bun"', '--external', 'koffi', `${root}src/cli/cli.ts`, '--outfile', next],
    { stdio: ['ignore', 'ignore', 'inherit'], cwd: root },
  );
} catch (error) {
  rmSync(next, { force: true });
  throw error;
}
// In its place at once: a pvm running from dist/bin/pvm meanwhile keeps its file.
renameSync(next, `${root}dist/bin/pvm`);
console.log(`built ${root}dist/bin/pvm`);
