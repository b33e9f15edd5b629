// Builds dist/ for Node (which cannot run .ts): tsc rewrites the .ts import
// specifiers to .js (dist/cli, dist/runtime …: what scripts and tests import);
// then Bun's bundler makes dist/node/main.js, the `pvm` command for Node: one
// module, plus chunks for what loads lazily (Ohm's error reporting, snapshots,
// cores …), which starts ~45 ms sooner than ~60 modules resolved one by one;
// and dist/node/scan-worker.js, the worker of a parallel scan, sharing them.
// Bun and Deno run src/ as it is. Run by `npm ci` (prepare).
//
// The build goes into a fresh directory beside dist/, which then takes
// dist/'s place (replace-directory.mjs): a pvm that runs from dist/ while
// `npm test` or `npm pack` builds (node_modules/.bin/pvm, a playbook
// shipping dist/bin/pvm) keeps working, and the single binary, which this
// build does not make, is kept.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { replaceDirectory } from './replace-directory.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const dist = `${root}/dist`;
const next = `${root}/dist.next-${process.pid}`;
rmSync(next, { recursive: true, force: true });
try {
  execFileSync(process.execPath, [tsc, '-p', `${root}/tsconfig.json`, '--outDir', next], { stdio: 'inherit', cwd: root });
  chmodSync(`${next}/cli/main.js`, 0o755);
  // koffi finds its native module on disk and ohm-js is loaded only for syntax errors: both stay packages.
  execFileSync(
    `${root}/node_modules/.bin/bun`,
    [
      'build',
      `${root}/src/cli/main.ts`,
      `${root}/src/target/scan-worker/scan-worker.ts`,
      '--entry-naming',
      '[name].[ext]',
      '--target=node',
      '--format=esm',
      '--splitting',
      `--outdir=${next}/node`,
      '--external',
      'koffi',
      '--external',
      'ohm-js',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'], cwd: root },
  );
  chmodSync(`${next}/node/main.js`, 0o755);
} catch (error) {
  rmSync(next, { recursive: true, force: true });
  throw error;
}
// The single binary (npm run build:bin, ~100 MB) is built beside, into dist/bin, and never goes into the npm package.
writeFileSync(`${next}/.npmignore`, 'bin/\n');
replaceDirectory(next, dist, ['bin']);
// In a checkout, `node_modules/.bin/pvm` runs this build, as it would in a project that depends on pvm
// (npm links the bins of dependencies, not the package's own): the entry point the README shows.
const bin = `${root}/node_modules/.bin`;
if (existsSync(bin)) {
  const link = `${bin}/pvm.next-${process.pid}`;
  rmSync(link, { force: true });
  symlinkSync('../../dist/node/main.js', link);
  renameSync(link, `${bin}/pvm`);
}
